// X (Twitter) direct messages. Two ways in, one way out:
// - polling GET /2/dm_events through twitter-api-v2 from a persistent cursor (the newest event
//   id seen), newest first, paging back until the cursor (the first poll takes the newest page);
// - the Account Activity webhook (CRC handshake, x-twitter-webhooks-signature over the raw body).
// Our own DMs seen in either stream are echoes (stored as outbound, deduped against the reply
// Parley sent, whose external id is the same dm_event_id). Out: sendDmToParticipant.
// Rate limits: a 429 carries x-rate-limit-reset; we throw RetryableError with retryAfterMs so
// the outbox and the poller wait until the reset.
import { ApiRequestError, ApiResponseError, TwitterApi, TwitterApiv2 } from 'twitter-api-v2';
import { z } from 'zod';
import { MB, PermanentError, RetryableError, skipped, type Connector, type InboundEvent, type InboundMessageEvent } from '../types.js';
import OAuth1Helper from 'twitter-api-v2/dist/esm/client-mixins/oauth1.helper.js';
import { fetchFile, fileNameFromUrl } from '../media-fetch.js';
import type { InboundAttachment, OutboundFile } from '../types.js';
import { aaaDmEvent, aaaMarkRead, aaaWebhookBody, DM_EVENT_FIELDS, dmEventsPage, MEDIA_FIELDS, sendDmResponse, type DmEventV2, type MediaV2 } from './wire.js';
import { base64, constantTimeEqual, hmac } from '../signing.js';
import { assertCallableUrl, fetchErrorMessage, guardedFetch, guardedHttpAgent, guardedHttpsAgent, PrivateNetworkError, readBounded } from '../net-guard.js';

const snowflake = z.string().regex(/^\d{1,20}$/, 'must be a numeric X user id');

export const twitterConfig = z.object({
  /** The X account (numeric user id) whose DMs this inbox answers. */
  userId: snowflake,
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  accessToken: z.string().min(1),
  accessSecret: z.string().min(1),
  /** Seconds between dm_events polls (default 60); 0 turns polling off (Account Activity webhook only). */
  pollSeconds: z.number().int().min(0).max(3600).refine((n) => n === 0 || n >= 10, 'must be 0 (off) or at least 10').optional(),
  /** Root of the X API (tests and the sandbox: the fake on loopback). Default https://api.x.com. */
  apiBaseUrl: z.string().url().optional(),
}).strict();
export type TwitterConfig = z.infer<typeof twitterConfig>;

/** An OAuth 1.0a Authorization header for a GET of `url` (the library's own signer). */
export function oauthHeader(c: TwitterConfig, url: string, method = 'GET'): Record<string, string> {
  const helper = new OAuth1Helper({ consumerKeys: { key: c.appKey, secret: c.appSecret } });
  return helper.toHeader(helper.authorize({ url, method }, { key: c.accessToken, secret: c.accessSecret }));
}

/** POST /2/media/upload (multipart, OAuth 1.0a; the body is not part of the signature) -> the media id. */
async function uploadDmMedia(c: TwitterConfig, f: OutboundFile): Promise<string> {
  const url = `${(c.apiBaseUrl ?? 'https://api.x.com').replace(/\/+$/, '')}/2/media/upload`;
  const category = f.contentType === 'image/gif' ? 'dm_gif' : f.kind === 'video' ? 'dm_video' : 'dm_image';
  const form = new FormData();
  form.append('media_category', category);
  form.append('media_type', f.contentType);
  form.append('media', new Blob([f.data as Uint8Array<ArrayBuffer>], { type: f.contentType }), f.filename);
  let res: Response;
  try {
    res = await guardedFetch(url, { method: 'POST', headers: oauthHeader(c, url, 'POST'), body: form, signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    const refused = err instanceof PrivateNetworkError || (err as { cause?: unknown }).cause instanceof PrivateNetworkError;
    if (refused) throw new PermanentError(`X media upload not called: ${fetchErrorMessage(err)}`);
    throw new RetryableError(`X media upload could not be reached: ${fetchErrorMessage(err)}`);
  }
  let body: { data?: { id?: string }; detail?: string; title?: string } | null;
  try { body = JSON.parse(await readBounded(res, 64 * 1024)); } catch { body = null; }
  if (res.ok && body?.data?.id) return body.data.id;
  const what = `X media upload failed (${res.status}): ${body?.detail ?? body?.title ?? 'no id in the answer'}`;
  throw res.status === 429 || res.status >= 500 ? new RetryableError(what) : new PermanentError(what);
}

// DMs carry one file each: images up to 5 MB, GIFs 15 MB, videos 512 MB (X media upload limits).
export const TWITTER_MEDIA = {
  inboundMaxBytes: 25 * MB,
  outbound: {
    maxFiles: 4, filesPerMessage: 1, captions: true,
    types: [{ type: 'image/gif', maxBytes: 15 * MB }, { type: 'image/jpeg', maxBytes: 5 * MB }, { type: 'image/png', maxBytes: 5 * MB }, { type: 'image/webp', maxBytes: 5 * MB }, { type: 'video/mp4', maxBytes: 512 * MB }],
  },
};

const PAGE_SIZE = 100;
/** dm_events calls kept back in each rate window (a manual poll, a restart). */
const RATE_RESERVE = 1;

/** The poll cursor: the newest event id stored; while a gap longer than a page is being walked
 *  down, the id the gap ends at (`top`) and the next page's token. A bare id is {since: id}. */
interface DmCursor { since: string | null; top?: string; token?: string }
function decodeDmCursor(s: string | null): DmCursor {
  if (!s) return { since: null };
  if (/^\d+$/.test(s)) return { since: s };
  try {
    const v = JSON.parse(s) as DmCursor;
    if (v && typeof v.top === 'string' && typeof v.token === 'string') return { since: typeof v.since === 'string' ? v.since : null, top: v.top, token: v.token };
  } catch { /* unreadable: start from the newest page */ }
  return { since: null };
}
const encodeDmCursor = (c: DmCursor) => (c.token ? JSON.stringify(c) : c.since);

/** x-rate-limit-remaining / -reset -> how long to wait before the next dm_events call. */
function paceByRateLimit(rl: { remaining?: number; reset?: number } | undefined): { waitMs?: number } {
  if (!rl || !Number.isFinite(rl.remaining) || !Number.isFinite(rl.reset)) return {};
  if (rl.remaining! > RATE_RESERVE) return {};
  return { waitMs: Math.max(0, rl.reset! * 1000 - Date.now()) + 1000 };
}

/**
 * The one place that points twitter-api-v2 at an API root. The library has no base-URL option:
 * each sub-client keeps a prefix (https://api.x.com/2/) and sends through Node's https.request,
 * which takes an http: URL only together with an http.Agent. So: set the v2 prefix from
 * apiBaseUrl and pick the agent by its protocol (https roots use the default agent).
 */
export function twitterV2(c: TwitterConfig): TwitterApiv2 {
  const base = c.apiBaseUrl?.replace(/\/+$/, '');
  if (base) assertCallableUrl(base);
  // Every connection goes through the network guard (net-guard.ts), the default root too.
  const httpAgent = base?.startsWith('http:') ? guardedHttpAgent : guardedHttpsAgent;
  const client = new TwitterApi(
    { appKey: c.appKey, appSecret: c.appSecret, accessToken: c.accessToken, accessSecret: c.accessSecret },
    { httpAgent },
  );
  return base ? new PrefixedV2(client, `${base}/2/`) : client.v2;
}

/** twitterV2, its refusal of a private API root classified like any other failure. */
function guardedClient(c: TwitterConfig, what: string): TwitterApiv2 {
  try { return twitterV2(c); } catch (err) { throw classify(err, what); }
}

/** The v2 client with another API root (setPrefix is protected, hence the subclass). */
class PrefixedV2 extends TwitterApiv2 {
  constructor(client: TwitterApi, prefix: string) {
    super(client);
    this.setPrefix(prefix);
  }
}

/** Any failure of an X call -> Retryable (429 until reset, 5xx, network) or Permanent (4xx). */
export function classify(err: unknown, what: string): Error {
  if (err instanceof ApiResponseError) {
    const detail = describe(err);
    if (err.code === 429 || err.code === 420) {
      const reset = err.rateLimit?.reset ?? Number(err.headers?.['x-rate-limit-reset']);
      const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - Date.now()) : 60_000;
      return new RetryableError(`X rate limit on ${what}: retry after ${new Date(Date.now() + retryAfterMs).toISOString()}`, retryAfterMs);
    }
    if (err.code >= 500) return new RetryableError(`X ${what} failed with ${err.code}: ${detail}`);
    return new PermanentError(`X refused ${what} (${err.code}): ${detail}`);
  }
  if (err instanceof PrivateNetworkError) return new PermanentError(`X ${what} not called: ${err.message}`);
  if (err instanceof ApiRequestError) {
    // The library stores the socket error as `_options.error` while its getter reads `requestError`.
    const cause = (err.requestError ?? (err as unknown as { _options?: { error?: Error } })._options?.error) as Error | undefined;
    if (cause instanceof PrivateNetworkError) return new PermanentError(`X ${what} not called: ${cause.message}`);
    return new RetryableError(`X ${what} could not be reached: ${cause?.message ?? err.message}`);
  }
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  return new RetryableError(`X ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
}

function describe(err: ApiResponseError): string {
  const d = err.data as { detail?: string; title?: string; errors?: { message?: string; detail?: string }[] } | undefined;
  return d?.detail ?? d?.errors?.[0]?.message ?? d?.errors?.[0]?.detail ?? d?.title ?? err.message;
}

/** 1:1 conversation ids are "<smaller user id>-<larger user id>". */
export function oneToOneConversationId(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
}

function otherParticipant(conversationId: string, me: string): string | null {
  const m = /^(\d+)-(\d+)$/.exec(conversationId);
  if (!m) return null;
  if (m[1] === me) return m[2];
  if (m[2] === me) return m[1];
  return null;
}

const newer = (a: string, b: string) => BigInt(a) > BigInt(b);

/** A DM's photo (its url) or GIF/video (the best mp4 variant); the t.co link of it leaves the text. */
function mediaAttachment(m: { type?: string; url?: string; variants?: { bitrate?: number; content_type: string; url: string }[] }): InboundAttachment[] {
  const mp4 = (m.variants ?? []).filter((v) => v.content_type === 'video/mp4').sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0))[0];
  const url = m.type === 'photo' ? m.url : mp4?.url ?? m.url;
  if (!url) return [];
  return [{ filename: fileNameFromUrl(url) ?? '', contentType: m.type === 'photo' ? 'image/jpeg' : mp4 ? 'video/mp4' : 'application/octet-stream', size: 0, kind: m.type === 'photo' ? 'image' : 'video', remote: { url } }];
}
const withoutLink = (text: string, link?: string) => (link ? text.replace(link, '') : text).trim();

function fromDmEventV2(c: TwitterConfig, e: DmEventV2, users: Map<string, { name?: string; username?: string }>, media: Map<string, MediaV2> = new Map()): InboundMessageEvent | null {
  if (e.event_type !== 'MessageCreate' || !e.sender_id || !e.dm_conversation_id) return null;
  const own = e.sender_id === c.userId;
  // For our own message the "sender" of the event is the customer it went to (1:1 only).
  const customer = own ? otherParticipant(e.dm_conversation_id, c.userId) : e.sender_id;
  if (!customer) return null;
  const u = users.get(customer);
  return {
    kind: own ? 'echo' : 'message',
    externalId: e.id,
    threadKey: e.dm_conversation_id,
    sender: { externalId: customer, name: u?.name, handle: u?.username },
    text: (e.attachments?.media_keys?.length ? (e.text ?? '').replace(/\s*https:\/\/t\.co\/\w+\s*$/, '') : e.text ?? '').trim(),
    attachments: (e.attachments?.media_keys ?? []).flatMap((k) => {
      const m = media.get(k);
      return m ? mediaAttachment({ type: m.type, url: m.url, variants: m.variants?.map((v) => ({ bitrate: v.bit_rate, content_type: v.content_type, url: v.url })) }) : [];
    }),
    sentAt: e.created_at ? Date.parse(e.created_at) : 0,
  };
}


/**
 * X's crc_tokens are short URL-safe base64. The CRC answer is HMAC(consumer secret, token), the
 * same function that signs webhook bodies, so answering any string would sign any body for
 * whoever asks. Only token-shaped strings get an answer, and verify() refuses any body of that
 * shape: no string can be both a CRC token we sign and a body we accept.
 */
export const CRC_TOKEN = /^[A-Za-z0-9_-]{1,128}={0,2}$/;

/** The CRC answer and the webhook signature share one scheme: sha256= base64 HMAC-SHA256(consumer secret, data). */
export async function twitterSignature(appSecret: string, data: Uint8Array | string): Promise<string> {
  return `sha256=${base64(await hmac('SHA-256', appSecret, data))}`;
}

export const twitter: Connector<TwitterConfig> = {
  kind: 'twitter',
  info: { label: 'X (Twitter) DMs', badge: 'X', color: '#111827', configTemplate: { userId: '', appKey: '', appSecret: '', accessToken: '', accessSecret: '' }, sandbox: true },
  config: twitterConfig,
  secretFields: ['appSecret', 'accessToken', 'accessSecret'],

  async handshake(req, c) {
    if (req.method !== 'GET') return null;
    const token = new URL(req.url).searchParams.get('crc_token');
    if (token === null) return null;
    if (!CRC_TOKEN.test(token)) {
      return Response.json({ error: { code: 'invalid_crc_token', message: 'crc_token must be short URL-safe base64' } }, { status: 400 });
    }
    return Response.json({ response_token: await twitterSignature(c.appSecret, token) });
  },

  async verify(req, raw, c) {
    const got = req.headers.get('x-twitter-webhooks-signature');
    if (!got) return false;
    // A body the CRC would have signed (see CRC_TOKEN) is never a webhook: refuse before the HMAC.
    if (raw.byteLength <= 130 && CRC_TOKEN.test(new TextDecoder().decode(raw))) return false;
    return constantTimeEqual(got, await twitterSignature(c.appSecret, raw));
  },

  parse(raw, c) {
    const parsed = aaaWebhookBody.safeParse(JSON.parse(new TextDecoder().decode(raw)));
    if (!parsed.success) return [skipped('body', parsed.error)];
    const body = parsed.data;
    // One app webhook may carry several subscribed accounts: take only this inbox's.
    if (body.for_user_id && body.for_user_id !== c.userId) return [];
    const events: InboundEvent[] = [];
    for (const r of body.direct_message_mark_read_events ?? []) {
      const read = aaaMarkRead.safeParse(r);
      if (!read.success) { events.push(skipped('direct_message_mark_read', read.error)); continue; }
      const { sender_id: reader, target: { recipient_id: to } } = read.data;
      // The customer read the thread with us: our DMs up to that event are read.
      if (to === c.userId && reader !== c.userId) events.push({ kind: 'receipt', threadKey: oneToOneConversationId(reader, to), status: 'read', upToExternalId: read.data.last_read_event_id });
    }
    for (const raw of body.direct_message_events ?? []) {
      const dm = aaaDmEvent.safeParse(raw);
      if (!dm.success) { events.push(skipped('direct_message', dm.error)); continue; }
      const e = dm.data;
      if (e.type !== 'message_create' || !e.message_create) continue;
      const { sender_id: from, target: { recipient_id: to }, message_data: { text, attachment } } = e.message_create;
      const files = attachment?.media ? mediaAttachment({ type: attachment.media.type, url: attachment.media.media_url_https, variants: attachment.media.video_info?.variants }) : [];
      const own = from === c.userId;
      if (!own && to !== c.userId) continue;
      const customer = own ? to : from;
      const u = body.users?.[customer];
      events.push({
        kind: own ? 'echo' : 'message',
        externalId: e.id,
        threadKey: oneToOneConversationId(from, to),
        sender: { externalId: customer, name: u?.name, handle: u?.screen_name },
        text: files.length ? withoutLink(text, attachment?.media.url) : text,
        attachments: files,
        sentAt: e.created_timestamp ? Number(e.created_timestamp) : 0,
      });
    }
    return events;
  },

  async poll(c, cursor) {
    const v2 = guardedClient(c, 'GET /2/dm_events');
    const state = decodeDmCursor(cursor);
    const params = {
      'dm_event.fields': DM_EVENT_FIELDS,
      event_types: 'MessageCreate',
      expansions: 'sender_id,attachments.media_keys',
      'user.fields': 'name,username',
      'media.fields': MEDIA_FIELDS,
      max_results: PAGE_SIZE,
      ...(state.token ? { pagination_token: state.token } : {}),
    };
    // One page per poll, so each page is stored with its cursor in one atomic unit; a gap
    // longer than a page is walked down by its pagination token over the following polls.
    const collected: DmEventV2[] = [];
    const users = new Map<string, { name?: string; username?: string }>();
    const media = new Map<string, MediaV2>();
    let page;
    try {
      page = await v2.listDmEvents(params);
    } catch (err) {
      throw classify(err, 'GET /2/dm_events');
    }
    const data = dmEventsPage.parse(page.data);
    for (const u of data.includes?.users ?? []) users.set(u.id, u);
    for (const m of data.includes?.media ?? []) media.set(m.media_key, m);
    let newest: string | null = null;
    let reached = false;
    for (const e of data.data ?? []) {
      if (newest === null || newer(e.id, newest)) newest = e.id;
      if (state.since && !newer(e.id, state.since)) { reached = true; break; }
      collected.push(e);
    }
    const events = collected
      .map((e) => fromDmEventV2(c, e, users, media))
      .filter((e): e is InboundMessageEvent => e !== null)
      .reverse();
    // The newest id of the whole gap: the first page's (the walk down keeps it in `top`).
    const top = state.token ? state.top! : newest && (!state.since || newer(newest, state.since)) ? newest : state.since;
    let next: DmCursor;
    let more = false;
    if (!state.since && !state.token) next = { since: top }; // first poll: the newest page only, no 30-day backfill
    else if (reached || !data.meta.next_token) next = { since: top };
    else { next = { since: state.since, top: top!, token: data.meta.next_token }; more = true; }
    return { events, cursor: encodeDmCursor(next), ...(more ? { more } : {}), ...paceByRateLimit(page.rateLimit) };
  },

  async send(c, msg) {
    const v2 = guardedClient(c, 'POST /2/dm_conversations/with/:participant_id/messages');
    // A DM carries one file: uploaded first (POST /2/media/upload, dm_image|dm_gif|dm_video), then sent with its media_id.
    const mediaId = msg.attachments.length ? await uploadDmMedia(c, msg.attachments[0]) : null;
    try {
      // The API answers {data:{dm_conversation_id, dm_event_id}}; the library's type claims the
      // fields sit at the top level, so read both shapes.
      const res: unknown = await v2.sendDmToParticipant(msg.recipient.externalId, mediaId
        ? { ...(msg.text ? { text: msg.text } : {}), attachments: [{ media_id: mediaId }] } : { text: msg.text });
      const wrapped = sendDmResponse.safeParse(res);
      const id = wrapped.success ? wrapped.data.data.dm_event_id : (res as { dm_event_id?: unknown })?.dm_event_id;
      // Sent either way: never report a delivered DM as failed (a retry would send it twice).
      return { externalId: typeof id === 'string' ? id : msg.messageId };
    } catch (err) {
      throw classify(err, 'POST /2/dm_conversations/with/:participant_id/messages');
    }
  },

  async fetchProfile(c, externalId) {
    try {
      const res = await twitterV2(c).user(externalId, { 'user.fields': ['name', 'username'] });
      return res.data ? { name: res.data.name, handle: res.data.username } : null;
    } catch (err) {
      throw classify(err, 'GET /2/users/:id');
    }
  },

  async fetchMedia(c, remote, { maxBytes }) {
    // DM media (ton.twitter.com / video.twimg.com) open only with the account's OAuth 1.0a signature.
    const url = String(remote.url);
    return fetchFile(url, { headers: oauthHeader(c, url), maxBytes, what: 'X DM media' });
  },

  pollSeconds: (c) => (c.pollSeconds === 0 ? null : c.pollSeconds ?? 60),
  limits: { attachments: true, maxTextLength: 10_000, media: TWITTER_MEDIA },
};
