// A fake X API on loopback, speaking the wire format of /work/shared/PLATFORMS.md, for tests and
// the sandbox (`npm run demo`). Plain HTTP; the connector picks an http.Agent for http: roots.
//
//   startTwitterFake(opts?: { ownerId?: string; ownerName?: string; ownerUsername?: string;
//                             appKey?: string; appSecret?: string; accessToken?: string;
//                             accessSecret?: string }): Promise<TwitterFake>
//
//   fake.url                       API root (give it to the inbox as config.apiBaseUrl)
//   fake.inboxConfig(extra?)       a complete twitter inbox config pointing here
//   fake.customerWrites({ from: {id, name?, username?}, text })
//                                  a customer DMs the owner: served by GET /2/dm_events (newest first)
//   fake.ownerWrites({ to, text })  the owner DMs a customer from X's own app (an echo for Parley)
//   fake.pushWebhook(url, { from, text } | { body }, { signature?: string | null })
//                                  POSTs an Account Activity DM event, signed with the app secret
//                                  (or the given signature; null = no header); returns { status, body }
//   fake.crc(url, token)           GETs url?crc_token=token; returns { status, json, expected }
//   fake.echoTo(url | null)        from now on, each send first POSTs its echo (our DM as an Account
//                                  Activity event) to url and only then answers: the echo overtakes the reply
//   fake.pollRateLimit(limit, windowSeconds)  dm_events calls per window (x-rate-limit-* headers
//                                  count down for real; over the limit: 429 until the reset)
//   fake.pollsRefused               dm_events calls refused for the window
//   fake.failNext(n, status, { route?: 'send' | 'poll' | 'user', resetInSeconds? })
//                                  the next n matching calls answer status (429 carries x-rate-limit-reset)
//   fake.sends                     recorded POST /2/dm_conversations/with/:id/messages calls
//   fake.requests                  every request seen: { method, path, query }
//   fake.addMedia(bytes, {type: 'photo'|'animated_gif'|'video', contentType})  a DM file: {media_key, url}
//                                  (served only to OAuth 1.0a-signed GETs, like ton.twitter.com)
//   fake.customerWrites({from, text, media?})  / fake.pushWebhook(url, {from, text, media?})  a DM with that file
//   fake.uploads                   files uploaded (POST /2/media/upload multipart): {id, category, contentType, filename, data}
//   fake.close()
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oneToOneConversationId, twitterSignature, type TwitterConfig } from './index.js';
import type { AaaWebhookBody, DmEventV2, UserV2 } from './wire.js';
import { readBody } from '../fake-http.js';

export interface FakeDmEvent extends Required<Pick<DmEventV2, 'id' | 'event_type' | 'text' | 'sender_id' | 'dm_conversation_id' | 'created_at'>> {
  recipient_id: string;
  media?: FakeMedia;
}
export interface FakeMedia { media_key: string; url: string; type: 'photo' | 'animated_gif' | 'video'; contentType: string; data: Uint8Array; tco: string }
export interface TwitterFakeSend { participantId: string; text: string; body: unknown; eventId: string; authorization: string; mediaId?: string }
export interface TwitterUpload { id: string; category: string; contentType: string; filename: string; data: Uint8Array }
type Route = 'send' | 'poll' | 'user' | 'media' | 'upload';
interface Failure { left: number; status: number; route?: Route; resetInSeconds: number }

export interface TwitterFake {
  url: string;
  ownerId: string;
  appSecret: string;
  sends: TwitterFakeSend[];
  uploads: TwitterUpload[];
  requests: { method: string; path: string; query: Record<string, string> }[];
  events: FakeDmEvent[];
  users: Map<string, UserV2>;
  inboxConfig(extra?: Partial<TwitterConfig>): TwitterConfig;
  customerWrites(input: { from: { id: string; name?: string; username?: string }; text: string; media?: FakeMedia }): FakeDmEvent;
  addMedia(data: Uint8Array, opts: { type: FakeMedia['type']; contentType: string }): FakeMedia;
  ownerWrites(input: { to: string; text: string }): FakeDmEvent;
  pushWebhook(url: string, input: { from: { id: string; name?: string; username?: string }; text: string; media?: FakeMedia } | { body: string },
    opts?: { signature?: string | null }): Promise<{ status: number; body: string; payload: string }>;
  crc(url: string, token: string): Promise<{ status: number; json: any; expected: string }>;
  failNext(n: number, status: number, opts?: { route?: Route; resetInSeconds?: number }): void;
  /** GET /2/dm_events allows `limit` calls per window (default 300 per 900 s), then 429s. */
  pollRateLimit(limit: number, windowSeconds: number): void;
  /** dm_events calls answered 429 because the window was used up. */
  readonly pollsRefused: number;
  echoTo(url: string | null): void;
  close(): Promise<void>;
}

export async function startTwitterFake(opts: {
  ownerId?: string; ownerName?: string; ownerUsername?: string;
  appKey?: string; appSecret?: string; accessToken?: string; accessSecret?: string;
} = {}): Promise<TwitterFake> {
  const ownerId = opts.ownerId ?? '1500000000000000001';
  const creds = {
    appKey: opts.appKey ?? 'fake-app-key', appSecret: opts.appSecret ?? 'fake-app-secret',
    accessToken: opts.accessToken ?? `${ownerId}-fake-access-token`, accessSecret: opts.accessSecret ?? 'fake-access-secret',
  };
  const events: FakeDmEvent[] = []; // oldest first
  const users = new Map<string, UserV2>([[ownerId, { id: ownerId, name: opts.ownerName ?? 'Parley Support', username: opts.ownerUsername ?? 'parley_support' }]]);
  const sends: TwitterFakeSend[] = [];
  const requests: TwitterFake['requests'] = [];
  const failures: Failure[] = [];
  let echoUrl: string | null = null;
  let seq = 0n;
  const nextId = () => (1860000000000000000n + ++seq * 1000n).toString();

  const media = new Map<string, FakeMedia>();
  const uploads: TwitterUpload[] = [];
  let base = '';
  const addEvent = (from: string, to: string, text: string, m?: FakeMedia): FakeDmEvent => {
    const e: FakeDmEvent = {
      id: nextId(), event_type: 'MessageCreate', text: m ? `${text} ${m.tco}`.trim() : text, sender_id: from, recipient_id: to,
      dm_conversation_id: oneToOneConversationId(from, to), created_at: new Date().toISOString(), ...(m ? { media: m } : {}),
    };
    events.push(e);
    return e;
  };
  const addUser = (u: { id: string; name?: string; username?: string }) => {
    if (!users.has(u.id)) users.set(u.id, { id: u.id, name: u.name ?? `User ${u.id}`, username: u.username ?? `user${u.id.slice(-6)}` });
  };

  const aaaBody = (e: FakeDmEvent): string => {
    const body: AaaWebhookBody = {
      for_user_id: ownerId,
      direct_message_events: [{
        type: 'message_create', id: e.id, created_timestamp: String(Date.parse(e.created_at)),
        message_create: {
          target: { recipient_id: e.recipient_id }, sender_id: e.sender_id, source_app_id: '268278',
          message_data: {
            text: e.text, entities: { hashtags: [], symbols: [], user_mentions: [], urls: e.media ? [{ url: e.media.tco, expanded_url: `https://twitter.com/messages/media/${e.id}`, display_url: 'pic.twitter.com/x', indices: [0, 23] }] : [] },
            ...(e.media ? { attachment: { type: 'media', media: {
              id_str: e.media.media_key.split('_')[1], type: e.media.type, url: e.media.tco, display_url: 'pic.twitter.com/x',
              media_url_https: e.media.type === 'photo' ? e.media.url : `${base}/dm_gif_preview/${e.media.media_key}.jpg`,
              ...(e.media.type !== 'photo' ? { video_info: { aspect_ratio: [1, 1], variants: [{ bitrate: 0, content_type: 'video/mp4', url: e.media.url }] } } : {}),
            } } } : {}),
          },
        },
      }],
      users: Object.fromEntries([e.sender_id, e.recipient_id].filter((id) => users.has(id)).map((id) => {
        const us = users.get(id)!;
        return [id, { id, name: us.name, screen_name: us.username }];
      })),
    };
    return JSON.stringify(body);
  };
  const postSigned = async (target: string, payload: string, sig?: string | null) => {
    const signature = sig === undefined ? await twitterSignature(creds.appSecret, payload) : sig;
    const res = await fetch(target, {
      method: 'POST', body: payload,
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-twitter-webhooks-signature': signature }) },
    });
    return { status: res.status, body: await res.text(), payload };
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const pollWindow = { limit: 300, seconds: 900, used: 0, resetAt: 0, refused: 0 };
  const rateHeaders = (remaining: number, resetInSeconds: number) => ({
    'x-rate-limit-limit': '300', 'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    requests.push({ method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams) });

    const route: Route | null = req.method === 'GET' && u.pathname.startsWith('/dm-media/') ? 'media'
      : req.method === 'POST' && u.pathname === '/2/media/upload' ? 'upload'
      : req.method === 'GET' && u.pathname === '/2/dm_events' ? 'poll'
      : req.method === 'POST' && /^\/2\/dm_conversations\/with\/[^/]+\/messages$/.test(u.pathname) ? 'send'
        : req.method === 'GET' && /^\/2\/users\/[^/]+$/.test(u.pathname) ? 'user' : null;
    if (!route) return json(res, 404, { title: 'Not Found Error', detail: `No route ${req.method} ${u.pathname}`, type: 'about:blank', status: 404 });

    // OAuth 1.0a user context: the consumer key and access token must be ours.
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('OAuth ') || !auth.includes(`oauth_consumer_key="${encodeURIComponent(creds.appKey)}"`)
      || !auth.includes(`oauth_token="${encodeURIComponent(creds.accessToken)}"`) || !auth.includes('oauth_signature=')) {
      return json(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    }

    const f = failures.find((x) => x.left > 0 && (!x.route || x.route === route));
    if (f) {
      f.left--;
      if (f.status === 429) return json(res, 429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, rateHeaders(0, f.resetInSeconds));
      const title = f.status >= 500 ? 'Service Unavailable' : 'Forbidden';
      const detail = f.status >= 500 ? 'Service Unavailable' : 'You are not permitted to send this user a Direct Message';
      return json(res, f.status, { title, detail, type: 'about:blank', status: f.status }, rateHeaders(100, 900));
    }

    if (route === 'media') {
      const m = media.get(decodeURIComponent(u.pathname.split('/')[2]));
      if (!m) return json(res, 404, { title: 'Not Found Error', type: 'about:blank', status: 404, detail: 'no such media' });
      res.writeHead(200, { 'content-type': m.contentType, 'content-length': String(m.data.byteLength) });
      return res.end(m.data);
    }

    if (route === 'upload') {
      const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body: new Uint8Array(raw) }).formData().catch(() => null);
      const file = form?.get('media');
      if (!(file instanceof File)) return json(res, 400, { title: 'Invalid Request', detail: 'media is required', type: 'about:blank', status: 400 });
      const id = (1910000000000000000n + BigInt(uploads.length + 1)).toString();
      uploads.push({ id, category: String(form!.get('media_category') ?? ''), contentType: file.type, filename: file.name, data: new Uint8Array(await file.arrayBuffer()) });
      return json(res, 200, { data: { id, media_key: `3_${id}`, size: file.size, expires_after_secs: 86400 } });
    }

    if (route === 'poll') {
      // A real window: `limit` calls per window, then 429 until x-rate-limit-reset.
      const now = Date.now();
      if (now >= pollWindow.resetAt) Object.assign(pollWindow, { used: 0, resetAt: now + pollWindow.seconds * 1000 });
      const windowHeaders = () => ({ 'x-rate-limit-limit': String(pollWindow.limit), 'x-rate-limit-remaining': String(Math.max(0, pollWindow.limit - pollWindow.used)), 'x-rate-limit-reset': String(Math.ceil(pollWindow.resetAt / 1000)) });
      if (pollWindow.used >= pollWindow.limit) {
        pollWindow.refused++;
        return json(res, 429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, windowHeaders());
      }
      pollWindow.used++;
      if (u.searchParams.get('event_types') && u.searchParams.get('event_types') !== 'MessageCreate') {
        return json(res, 400, { title: 'Invalid Request', detail: 'only MessageCreate is served by this fake', type: 'about:blank', status: 400 });
      }
      const max = Math.min(100, Math.max(1, Number(u.searchParams.get('max_results') ?? 100)));
      const newestFirst = [...events].reverse();
      const token = u.searchParams.get('pagination_token');
      const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
      const slice = newestFirst.slice(start, start + max);
      const fields = new Set((u.searchParams.get('dm_event.fields') ?? '').split(',').filter(Boolean));
      const data = slice.map((e) => {
        const out: Record<string, unknown> = { id: e.id, event_type: e.event_type, text: e.text };
        for (const k of ['sender_id', 'dm_conversation_id', 'created_at'] as const) if (fields.has(k)) out[k] = e[k];
        if (fields.has('attachments') && e.media) out.attachments = { media_keys: [e.media.media_key] };
        return out;
      });
      const body: Record<string, unknown> = { meta: { result_count: data.length } };
      if (data.length) body.data = data;
      if (start + max < newestFirst.length) (body.meta as Record<string, unknown>).next_token = Buffer.from(String(start + max)).toString('base64url');
      if ((u.searchParams.get('expansions') ?? '').split(',').includes('sender_id') && slice.length) {
        body.includes = { users: [...new Set(slice.map((e) => e.sender_id))].map((id) => users.get(id)).filter(Boolean) };
      }
      const withMedia = slice.filter((e) => e.media);
      if ((u.searchParams.get('expansions') ?? '').split(',').includes('attachments.media_keys') && withMedia.length) {
        const mediaFields = new Set((u.searchParams.get('media.fields') ?? '').split(','));
        body.includes = { ...(body.includes as object), media: withMedia.map(({ media: m }) => ({
          media_key: m!.media_key, type: m!.type,
          ...(m!.type === 'photo' && mediaFields.has('url') ? { url: m!.url } : {}),
          ...(m!.type !== 'photo' && mediaFields.has('variants') ? { variants: [{ bit_rate: 0, content_type: 'video/mp4', url: m!.url }] } : {}),
        })) };
      }
      return json(res, 200, body, windowHeaders());
    }

    if (route === 'send') {
      const participantId = decodeURIComponent(u.pathname.split('/')[4]);
      let body: { text?: unknown; attachments?: { media_id?: string }[] };
      try { body = JSON.parse(raw.toString('utf8')); } catch { return json(res, 400, { title: 'Invalid Request', detail: 'body is not JSON', type: 'about:blank', status: 400 }); }
      const mediaId = body.attachments?.[0]?.media_id;
      if (mediaId && !uploads.some((x) => x.id === mediaId)) return json(res, 400, { title: 'Invalid Request', detail: `media_id ${mediaId} not found`, type: 'about:blank', status: 400 });
      if (!mediaId && (typeof body.text !== 'string' || !body.text)) return json(res, 400, { title: 'Invalid Request', detail: 'text is required', type: 'about:blank', status: 400 });
      const text = typeof body.text === 'string' ? body.text : '';
      const e = addEvent(ownerId, participantId, text);
      sends.push({ participantId, text, body, eventId: e.id, authorization: auth, ...(mediaId ? { mediaId } : {}) });
      if (echoUrl) await postSigned(echoUrl, aaaBody(e));
      return json(res, 201, { data: { dm_conversation_id: e.dm_conversation_id, dm_event_id: e.id } }, rateHeaders(199, 900));
    }

    const id = decodeURIComponent(u.pathname.split('/')[3]);
    const user = users.get(id);
    if (!user) return json(res, 200, { errors: [{ value: id, detail: `Could not find user with id: [${id}].`, title: 'Not Found Error', resource_type: 'user', parameter: 'id', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }] });
    return json(res, 200, { data: user }, rateHeaders(899, 900));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { title: 'Internal Error', detail: String(err), type: 'about:blank', status: 500 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = url;

  return {
    url, ownerId, appSecret: creds.appSecret, sends, uploads, requests, events, users,
    inboxConfig: (extra = {}) => ({ userId: ownerId, ...creds, apiBaseUrl: url, ...extra }),
    customerWrites({ from, text, media: m }) {
      addUser(from);
      return addEvent(from.id, ownerId, text, m);
    },
    addMedia(data, o) {
      const media_key = `${o.type === 'photo' ? 3 : o.type === 'video' ? 7 : 16}_${(1900000000000000000n + BigInt(media.size + 1)).toString()}`;
      const name = o.type === 'photo' ? 'photo.jpg' : 'clip.mp4';
      const m: FakeMedia = { media_key, url: `${base}/dm-media/${media_key}/${name}`, type: o.type, contentType: o.contentType, data, tco: `https://t.co/${media_key.slice(-10)}` };
      media.set(media_key, m);
      return m;
    },
    ownerWrites: ({ to, text }) => addEvent(ownerId, to, text),
    async pushWebhook(target, input, o = {}) {
      let payload: string;
      if ('body' in input) payload = input.body;
      else {
        addUser(input.from);
        payload = aaaBody(addEvent(input.from.id, ownerId, input.text, input.media));
      }
      return postSigned(target, payload, o.signature);
    },
    async crc(target, token) {
      const res = await fetch(`${target}${target.includes('?') ? '&' : '?'}crc_token=${encodeURIComponent(token)}`);
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* not json */ }
      return { status: res.status, json: parsed, expected: await twitterSignature(creds.appSecret, token) };
    },
    echoTo(u) { echoUrl = u; },
    pollRateLimit(limit, windowSeconds) { Object.assign(pollWindow, { limit, seconds: windowSeconds, used: 0, resetAt: 0 }); },
    get pollsRefused() { return pollWindow.refused; },
    failNext(n, status, o = {}) {
      failures.push({ left: n, status, route: o.route, resetInSeconds: o.resetInSeconds ?? 60 });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
