// POST /{version}/{phone-number-id}/messages: the one way every message Parley sends goes out
// (text, a file by its media id, a template), in the Cloud API's envelope, answered by the
// new message's id.
import { graphRequest } from '../meta/graph.js';
import { PermanentError } from '../types.js';
import { waSendResponse, type WaSendContent } from './wire.js';
import type { WhatsappConfig } from './index.js';

export async function sendMessage(c: WhatsappConfig, to: string, content: WaSendContent, replyToExternalId?: string): Promise<{ externalId: string }> {
  const body = { messaging_product: 'whatsapp', recipient_type: 'individual', to, ...content, ...(replyToExternalId ? { context: { message_id: replyToExternalId } } : {}) };
  const data = await graphRequest({ baseUrl: c.apiBaseUrl, path: `/${c.apiVersion}/${c.phoneNumberId}/messages`, token: c.accessToken, body });
  const parsed = waSendResponse.safeParse(data);
  if (!parsed.success) throw new PermanentError('The Cloud API answered without a message id');
  return { externalId: parsed.data.messages[0].id };
}
