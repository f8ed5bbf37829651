// A fake Twilio-style SMS provider on loopback, for tests and the sandbox (`npm run demo`).
//
//   startSmsFake(opts?: { accountSid?: string; authToken?: string; number?: string }): Promise<SmsFake>
//
//   fake.url                          REST root (give it to the inbox as config.apiBaseUrl)
//   fake.inboxConfig(extra?)          an sms inbox config pointing here
//   fake.customerTexts(webhookUrl, { from, body, to? }, { signature?: string | null, signedUrl?: string })
//                                     POSTs an inbound message webhook (form-encoded, X-Twilio-Signature
//                                     over signedUrl ?? webhookUrl; null = no header). Returns
//                                     { status, body, contentType, params }
//   fake.post(webhookUrl, params, { signature?, signedUrl? })   the same for any form (redeliveries)
//   fake.reportStatus(webhookUrl, sid, status, errorCode?)      POSTs a signed status callback
//   fake.failNext(n, status, { retryAfter? })  the next n sends answer status with a Twilio error body
//   fake.sends                         recorded sends: { to, from, body, sid, form, authorization }
//   fake.addMedia(bytes, contentType)  an MMS file: its MediaUrl (GET with basic auth answers 307 to the file)
//   fake.customerSendsMms(webhookUrl, {from, body?, media:[{url, contentType}]})   an MMS webhook (NumMedia, MediaUrlN, MediaContentTypeN)
//   fake.mediaFetches                   files the fake fetched from MediaUrl of sends (as Twilio does): {url, status, data, contentType}
//   fake.close()
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioSignature, type SmsConfig } from './index.js';
import { readBody } from '../fake-http.js';

export interface SmsFakeSend { to: string; from?: string; body: string; sid: string; form: Record<string, string>; authorization: string; mediaUrls: string[] }
export interface SmsMediaFetch { url: string; status: number; data: Uint8Array; contentType: string | null }
export interface SmsWebhookResult { status: number; body: string; contentType: string | null; params: Record<string, string> }
export interface SmsFake {
  url: string;
  accountSid: string;
  authToken: string;
  number: string;
  sends: SmsFakeSend[];
  inboxConfig(extra?: Partial<SmsConfig>): SmsConfig;
  customerTexts(webhookUrl: string, msg: { from: string; body: string; to?: string }, opts?: { signature?: string | null; signedUrl?: string }): Promise<SmsWebhookResult>;
  post(webhookUrl: string, params: Record<string, string>, opts?: { signature?: string | null; signedUrl?: string }): Promise<SmsWebhookResult>;
  reportStatus(webhookUrl: string, sid: string, status: string, errorCode?: string): Promise<SmsWebhookResult>;
  failNext(n: number, status: number, opts?: { retryAfter?: number }): void;
  addMedia(data: Uint8Array, contentType: string): string;
  customerSendsMms(webhookUrl: string, msg: { from: string; body?: string; media: { url: string; contentType: string }[] }): Promise<SmsWebhookResult>;
  mediaFetches: SmsMediaFetch[];
  /** The next n media GETs answer this status (before the redirect). */
  failMedia(n: number, status: number): void;
  close(): Promise<void>;
}

const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n / 2)), (b) => b.toString(16).padStart(2, '0')).join('');

export async function startSmsFake(opts: { accountSid?: string; authToken?: string; number?: string } = {}): Promise<SmsFake> {
  const accountSid = opts.accountSid ?? `AC${'0'.repeat(24)}5a1e5a1e`;
  const authToken = opts.authToken ?? 'fake-twilio-auth-token-0001';
  const number = opts.number ?? '+15005550006';
  const sends: SmsFakeSend[] = [];
  const failures: { left: number; status: number; retryAfter?: number }[] = [];
  const media = new Map<string, { data: Uint8Array; contentType: string }>();
  const mediaFetches: SmsMediaFetch[] = [];
  let mediaFailures = { left: 0, status: 500 };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const twilioError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    // The media CDN a MediaUrl redirects to: no auth (the URL is the secret, short-lived).
    const cdn = /^\/mms-cdn\/([^/]+)$/.exec(u.pathname);
    if (cdn && req.method === 'GET') {
      const f = media.get(cdn[1]);
      if (!f) return twilioError(res, 404, 20404, 'The requested resource was not found');
      res.writeHead(200, { 'content-type': f.contentType, 'content-length': String(f.data.byteLength) });
      return res.end(f.data);
    }
    const mediaPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/[^/]+\/Media\/([^/]+)$/.exec(u.pathname);
    if (mediaPath && req.method === 'GET') {
      const auth = req.headers.authorization ?? '';
      const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (user !== accountSid || pass !== authToken) return twilioError(res, 401, 20003, 'Authenticate');
      if (mediaFailures.left > 0) { mediaFailures.left--; return twilioError(res, mediaFailures.status, 20500, 'Internal Server Error'); }
      if (!media.has(mediaPath[2])) return twilioError(res, 404, 20404, 'The requested resource was not found');
      res.writeHead(307, { location: `/mms-cdn/${mediaPath[2]}` });
      return res.end();
    }
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(u.pathname);
    if (!m || req.method !== 'POST') return twilioError(res, 404, 20404, 'The requested resource was not found');
    const authorization = req.headers.authorization ?? '';
    const [user, pass] = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString().split(':');
    if (!authorization.startsWith('Basic ') || user !== accountSid || pass !== authToken || m[1] !== accountSid) {
      return twilioError(res, 401, 20003, 'Authenticate');
    }
    const f = failures.find((x) => x.left > 0);
    if (f) {
      f.left--;
      if (f.status === 429) return twilioError(res, 429, 20429, 'Too Many Requests', f.retryAfter ? { 'retry-after': String(f.retryAfter) } : {});
      if (f.status >= 500) return twilioError(res, f.status, 20500, 'Internal Server Error');
      return twilioError(res, f.status, 21211, "The 'To' number is not a valid phone number.");
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return twilioError(res, 400, 20001, 'Form body expected');
    const params = new URLSearchParams((await readBody(req)).toString('utf8'));
    const form = Object.fromEntries(params);
    const mediaUrls = params.getAll('MediaUrl');
    if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!form.Body && mediaUrls.length === 0) return twilioError(res, 400, 21602, 'Message body is required.');
    if (mediaUrls.length > 10) return twilioError(res, 400, 21623, 'Too many media URLs');
    // Twilio fetches each MediaUrl when it takes the message: a URL it cannot fetch fails it.
    for (const mu of mediaUrls) {
      const r = await fetch(mu).catch(() => null);
      const data = r ? new Uint8Array(await r.arrayBuffer()) : new Uint8Array(0);
      mediaFetches.push({ url: mu, status: r?.status ?? 0, data, contentType: r?.headers.get('content-type') ?? null });
      if (!r?.ok) return twilioError(res, 400, 11200, `HTTP retrieval failure for ${mu}`);
    }
    const sid = `SM${hex(32)}`;
    sends.push({ to: form.To, from: form.From, body: form.Body ?? '', sid, form, authorization, mediaUrls });
    const now = new Date().toUTCString();
    return json(res, 201, {
      sid, account_sid: accountSid, to: form.To, from: form.From ?? number, messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body, status: 'queued', num_segments: '1', direction: 'outbound-api', date_created: now, date_updated: now,
      date_sent: null, error_code: null, error_message: null, price: null, price_unit: 'USD', api_version: '2010-04-01',
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  };

  const server = createServer((req, res) => { handle(req, res).catch((err) => twilioError(res, 500, 20500, String(err))); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post: SmsFake['post'] = async (webhookUrl, params, o = {}) => {
    const signature = o.signature === undefined ? await twilioSignature(authToken, o.signedUrl ?? webhookUrl, Object.entries(params)) : o.signature;
    const res = await fetch(webhookUrl, {
      method: 'POST', body: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type'), params };
  };

  return {
    url, accountSid, authToken, number, sends, mediaFetches,
    addMedia(data, contentType) {
      const me = `ME${hex(32)}`;
      media.set(me, { data, contentType });
      return `${url}/2010-04-01/Accounts/${accountSid}/Messages/MM${hex(32)}/Media/${me}`;
    },
    failMedia(n, status) { mediaFailures = { left: n, status }; },
    customerSendsMms(webhookUrl, msg) {
      const sid = `MM${hex(32)}`;
      const fields: Record<string, string> = {
        ToCountry: 'US', SmsMessageSid: sid, NumMedia: String(msg.media.length), SmsSid: sid, SmsStatus: 'received', Body: msg.body ?? '',
        FromCountry: 'CN', To: number, NumSegments: '1', MessageSid: sid, AccountSid: accountSid, From: msg.from, ApiVersion: '2010-04-01',
      };
      msg.media.forEach((m, i) => { fields[`MediaContentType${i}`] = m.contentType; fields[`MediaUrl${i}`] = m.url; });
      return post(webhookUrl, fields);
    },
    inboxConfig: (extra = {}) => ({ accountSid, authToken, fromNumber: number, apiBaseUrl: url, ...extra }),
    post,
    customerTexts(webhookUrl, msg, o) {
      const sid = `SM${hex(32)}`;
      return post(webhookUrl, {
        ToCountry: 'US', ToState: 'CA', SmsMessageSid: sid, NumMedia: '0', ToCity: '', FromZip: '', SmsSid: sid, FromState: '',
        SmsStatus: 'received', FromCity: '', Body: msg.body, FromCountry: 'CN', To: msg.to ?? number, ToZip: '', NumSegments: '1',
        MessageSid: sid, AccountSid: accountSid, From: msg.from, ApiVersion: '2010-04-01',
      }, o);
    },
    reportStatus: (webhookUrl, sid, status, errorCode) => post(webhookUrl, {
      MessageSid: sid, SmsSid: sid, AccountSid: accountSid, MessageStatus: status, SmsStatus: status, From: number, To: '',
      ApiVersion: '2010-04-01', ...(errorCode ? { ErrorCode: errorCode } : {}),
    }),
    failNext(n, status, o = {}) { failures.push({ left: n, status, retryAfter: o.retryAfter }); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
