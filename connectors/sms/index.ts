// SMS through Twilio (or any provider speaking its wire format). In: the form-encoded message
// webhook, verified with X-Twilio-Signature = base64 HMAC-SHA1(auth token, the full URL the
// provider called + every POST parameter sorted by name, as name+value). Behind a proxy the URL
// Parley sees differs from the one the provider signed, so both the request URL and the
// configured public URL are tried. Status callbacks (MessageStatus) update our sent messages.
// Out: POST /2010-04-01/Accounts/{AccountSid}/Messages.json with basic auth.
import { z } from 'zod';
import { fetchFile } from '../media-fetch.js';
import { MB, PermanentError, RetryableError, type Connector, type InboundAttachment, type InboundEvent } from '../types.js';
import { apiError, inboundSms, messageResource, statusCallback, type SendMessageForm } from './wire.js';
import { base64, constantTimeEqual, hmac } from '../signing.js';
import { parseRetryAfter } from '../retry-after.js';
import { fetchErrorMessage, guardedFetch, PrivateNetworkError, readBounded } from '../net-guard.js';

export const smsConfig = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
  authToken: z.string().min(16),
  /** An E.164 number (+8613800138000) or a Messaging Service SID (MG…). */
  fromNumber: z.string().regex(/^(\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number like +14155550100 or a Messaging Service SID'),
  /** Where the provider reports delivery (sent/delivered/failed): this inbox's webhook URL. */
  statusCallbackUrl: z.string().url().optional(),
  /** Root of the REST API (tests and the sandbox: the fake on loopback). Default https://api.twilio.com. */
  apiBaseUrl: z.string().url().optional(),
}).strict();
export type SmsConfig = z.infer<typeof smsConfig>;

const TIMEOUT_MS = 15_000;
// MMS: up to 10 MediaUrl per message, 5 MB in all; images are what every handset shows.
export const SMS_MEDIA = {
  inboundMaxBytes: 5 * MB,
  outbound: {
    maxFiles: 10, filesPerMessage: 10, captions: true, maxCaptionLength: 1600,
    types: [{ type: 'image/jpeg', maxBytes: 5 * MB }, { type: 'image/png', maxBytes: 5 * MB }, { type: 'image/gif', maxBytes: 5 * MB },
      { type: 'application/pdf', maxBytes: 5 * MB }, { type: 'video/*', maxBytes: 5 * MB }, { type: 'audio/*', maxBytes: 5 * MB }],
  },
};

/** X-Twilio-Signature for a URL and the POST parameters (Web Crypto, so it runs on Workers too). */
export async function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): Promise<string> {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + sorted.map(([k, v]) => k + v).join('');
  return base64(await hmac('SHA-1', authToken, data));
}

const formOf = (raw: Uint8Array) => new URLSearchParams(new TextDecoder().decode(raw));

// Twilio's default opt-out and opt-in keywords (Advanced Opt-Out): a message that is exactly
// one of them, in any case, with surrounding spaces or punctuation.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES', 'OPTIN']);
/** 21610: "Attempt to send to unsubscribed recipient". */
const UNSUBSCRIBED = '21610';
export function optOutOf(body: string): boolean | undefined {
  // Long bodies are never a keyword; checked first so the trim below stays linear.
  if (body.length > 40) return undefined;
  const word = body.trim().replace(/[\s.!]+$/, '').toUpperCase();
  if (word.length > 12) return undefined;
  return OPT_OUT.has(word) ? true : OPT_IN.has(word) ? false : undefined;
}

const STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed'> = {
  sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', undelivered: 'failed',
};

export const sms: Connector<SmsConfig> = {
  kind: 'sms',
  info: { label: 'SMS (Twilio)', badge: 'SMS', color: '#ea580c', configTemplate: { accountSid: '', authToken: '', fromNumber: '' }, sandbox: true },
  config: smsConfig,
  secretFields: ['authToken'],

  async verify(req, raw, c, ctx) {
    const got = req.headers.get('x-twilio-signature');
    if (!got) return false;
    const params = [...formOf(raw)];
    for (const url of new Set([ctx.url, ctx.publicUrl])) {
      if (constantTimeEqual(got, await twilioSignature(c.authToken, url, params))) return true;
    }
    return false;
  },

  parse(raw) {
    const form = Object.fromEntries(formOf(raw));
    if (form.MessageStatus !== undefined) {
      const s = statusCallback.parse(form);
      const status = STATUS[s.MessageStatus];
      if (!status) return []; // queued, sending, accepted, scheduled: nothing to show yet
      const error = status === 'failed' ? [s.ErrorCode && `Error ${s.ErrorCode}`, s.ErrorMessage].filter(Boolean).join(': ') || `Message ${s.MessageStatus}` : undefined;
      return [{ kind: 'status', externalId: s.MessageSid, status, error, at: 0, ...(s.ErrorCode === UNSUBSCRIBED ? { optedOut: true } : {}) }];
    }
    const m = inboundSms.parse(form);
    // MMS files: MediaUrlN (fetched with the account's basic auth, after the webhook) and MediaContentTypeN.
    const media: InboundAttachment[] = Array.from({ length: Math.min(10, Number(m.NumMedia ?? 0) || 0) }, (_, i) => form[`MediaUrl${i}`])
      .flatMap((url, i) => (url ? [{ filename: '', contentType: String(form[`MediaContentType${i}`] ?? 'application/octet-stream'), size: 0, remote: { url } }] : []));
    const events: InboundEvent[] = [{
      kind: 'message',
      externalId: m.MessageSid,
      threadKey: m.From,
      sender: { externalId: m.From, phone: m.From },
      text: m.Body,
      attachments: media,
      sentAt: 0, // the webhook carries no timestamp: ingest stamps the arrival time
      meta: { to: m.To, ...(form.ButtonPayload ? { buttonPayload: form.ButtonPayload } : {}) },
      ...(optOutOf(m.Body) !== undefined ? { optOut: optOutOf(m.Body) } : {}),
    }];
    return events;
  },

  webhookResponse() {
    return new Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' } });
  },

  async send(c, msg) {
    const base = (c.apiBaseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
    // The number the customer wrote from (the conversation's identity), never a profile field.
    const to = msg.recipient.externalId;
    const form: SendMessageForm = { To: to, Body: msg.text };
    if (c.fromNumber.startsWith('MG')) form.MessagingServiceSid = c.fromNumber;
    else form.From = c.fromNumber;
    if (c.statusCallbackUrl) form.StatusCallback = c.statusCallbackUrl;
    const params = new URLSearchParams(form as unknown as Record<string, string>);
    // MMS: Twilio fetches each file from its MediaUrl (Parley's signed, expiring link to it).
    for (const f of msg.attachments) params.append('MediaUrl', f.url);
    if (!msg.text) params.delete('Body');
    let res: Response;
    try {
      res = await guardedFetch(`${base}/2010-04-01/Accounts/${c.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${c.accountSid}:${c.authToken}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const why = fetchErrorMessage(err);
      if ((err as { cause?: unknown }).cause instanceof PrivateNetworkError || err instanceof PrivateNetworkError) throw new PermanentError(`The SMS API was not called: ${why}`);
      throw new RetryableError(`The SMS API could not be reached: ${why}`);
    }
    const text = await readBounded(res, 1024 * 1024);
    let body: unknown = null;
    try { body = JSON.parse(text); } catch { /* not json */ }
    if (res.ok) {
      const m = messageResource.safeParse(body);
      // Accepted either way: a reply must never be reported failed after the provider took it.
      return { externalId: m.success ? m.data.sid : msg.messageId };
    }
    const e = apiError.safeParse(body);
    const what = `SMS send failed (${res.status}${e.success && e.data.code ? `, code ${e.data.code}` : ''}): ${e.success && e.data.message ? e.data.message.slice(0, 200) : 'no error message'}`;
    if (res.status === 429 || res.status >= 500) {
      throw new RetryableError(what, parseRetryAfter(res.headers.get('retry-after')));
    }
    throw new PermanentError(what);
  },

  // The sender's number is the thread: a text to a number opens the thread its answer joins.
  startsThreads: { by: 'phone', threadKey: 'address' },
  fetchMedia(c, remote, { maxBytes }) {
    // Twilio answers a media URL with a redirect to the file; fetchFile follows it (and drops
    // the credentials if it leaves Twilio's origin).
    return fetchFile(String(remote.url), { headers: { authorization: `Basic ${btoa(`${c.accountSid}:${c.authToken}`)}` }, maxBytes, what: 'MMS media' });
  },

  limits: { attachments: true, maxTextLength: 1600, media: SMS_MEDIA },
};
