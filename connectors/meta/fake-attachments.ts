// The Send API's two ways to take a file, as the Messenger and Instagram fakes serve them: a
// multipart upload (recipient, message={"attachment":{type, payload}}, filedata) or a JSON
// message whose attachment.payload.url Meta fetches itself (the fake fetches it too, so a URL
// that does not open fails the send as it would on Meta).
import { fakeId, graphErrorBody, type RecordedCall, type RouteResult } from './fake-server.js';

export interface SentAttachment { recipientId: string; type: string; filename?: string; url?: string; contentType: string; data: Uint8Array }

export async function attachmentSend(call: RecordedCall): Promise<SentAttachment | { error: string } | null> {
  if ((call.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': call.headers['content-type'] }, body: new Uint8Array(call.bytes) }).formData().catch(() => null);
    const file = form?.get('filedata');
    let message: { attachment?: { type?: string } } = {};
    let recipient: { id?: string } = {};
    try { message = JSON.parse(String(form?.get('message') ?? '{}')); recipient = JSON.parse(String(form?.get('recipient') ?? '{}')); } catch { return { error: '(#100) message and recipient must be JSON' }; }
    if (!(file instanceof File) || !message.attachment?.type || !recipient.id) return { error: '(#100) Upload attachment failure: filedata, message.attachment and recipient are required' };
    return { recipientId: recipient.id, type: message.attachment.type, filename: file.name, contentType: file.type, data: new Uint8Array(await file.arrayBuffer()) };
  }
  const b = call.body as { recipient?: { id?: string }; message?: { attachment?: { type?: string; payload?: { url?: string } } } } | null;
  const a = b?.message?.attachment;
  if (!a) return null;
  if (!a.type || !a.payload?.url || !b?.recipient?.id) return { error: '(#100) message.attachment needs a type and payload.url' };
  const res = await fetch(a.payload.url).catch(() => null);
  if (!res?.ok) return { error: `(#100) Failed to fetch the file from the url (${res?.status ?? 'unreachable'})` };
  return { recipientId: b.recipient.id, type: a.type, url: a.payload.url, contentType: res.headers.get('content-type') ?? '', data: new Uint8Array(await res.arrayBuffer()) };
}

/**
 * The Send API's answer to a file send, shared by the Messenger and Instagram fakes: null when
 * the call carries no file (the caller reads it as a text send), else the recorded file and
 * Graph's reply (a 400 for a file that could not be read).
 */
export async function answerAttachmentSend(
  call: RecordedCall,
  attachments: SentAttachment[],
  sent: { recipientId: string; text: string; messageId: string; body: unknown }[],
): Promise<RouteResult | null> {
  const file = await attachmentSend(call);
  if (!file) return null;
  if ('error' in file) return { status: 400, body: graphErrorBody(100, file.error) };
  attachments.push(file);
  const messageId = fakeId('m_');
  sent.push({ recipientId: file.recipientId, text: '', messageId, body: call.body });
  return { status: 200, body: { recipient_id: file.recipientId, message_id: messageId, ...(file.filename ? { attachment_id: fakeId('') } : {}) } };
}
