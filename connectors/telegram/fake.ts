// A fake Telegram Bot API on loopback (https://api.telegram.org/bot<token>/<method> shape), for
// tests and the sandbox (`npm run demo`).
//
//   startTelegramFake(opts?: { botToken?: string; botId?: number; botUsername?: string }): Promise<TelegramFake>
//
//   fake.url                         API root (give it to the inbox as config.apiBaseUrl)
//   fake.botToken                    the only token the fake accepts (others get 401)
//   fake.inboxConfig(extra?)         a telegram inbox config pointing here ({mode:'polling'} by default)
//   fake.customerWrites({ from: {id, first_name, last_name?, username?}, text, chatId? })
//                                    a customer messages the bot: queued for getUpdates, or, once
//                                    setWebhook was called, POSTed to the webhook with the secret
//                                    token header. Returns { update, delivery? } (delivery = webhook answer)
//   fake.pushWebhook(url, update, { secretToken?: string | null })
//                                    POSTs one Update (null = no secret header); returns { status, body }
//   fake.queueBacklog(n, customers?)  n updates waiting at once (a backlog after an outage)
//   fake.queueMalformed()            one update not of the documented shape (returns its update_id)
//   fake.held                        getUpdates calls held open now (long polling: timeout > 0
//                                    and nothing waiting holds until an update arrives)
//   fake.failNext(n, errorCode, { method?, retryAfter? })
//                                    the next n calls (of method) answer {ok:false, error_code, ...}
//   fake.pressButton({ from, chatId?, messageId, buttons: [{text, callback_data}], data })
//                                    a callback_query for an inline keyboard on our message
//   fake.edits({ from, chatId?, messageId, text })   an edited_message update
//   fake.reacts({ from, chatId?, messageId, emoji | null })   a message_reaction update
//                                    (each is queued for getUpdates, or POSTed once a webhook is set)
//   fake.answeredCallbacks           callback_query ids answered with answerCallbackQuery
//   fake.slow(method, ms)            calls of that method are answered (and recorded) only after ms
//   fake.sends                       recorded sendMessage bodies
//   fake.updates                     updates not yet confirmed by a getUpdates offset
//   fake.webhook                     { url, secret_token } set by setWebhook, or null
//   fake.calls                       every call: { method, body }
//   fake.addFile(bytes, {name?, size?})  a file on Telegram's servers: {file_id, file_unique_id, file_size}
//                                    (getFile -> file_path, GET /file/bot<token>/<file_path>; `size` fakes a
//                                    bigger file: getFile then answers "file is too big" over 20 MB)
//   fake.customerSends({from, message, chatId?})  like customerWrites with any message fields (photo, document, sticker…)
//   fake.uploads                     files Parley sent (sendPhoto/sendDocument/sendVideo/sendVoice/sendAudio multipart)
//   fake.close()
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramConfig } from './index.js';
import type { SendMessageBody, TgMessage, TgUpdate, TgUser } from './wire.js';
import { readBody } from '../fake-http.js';

interface Failure { left: number; code: number; method?: string; retryAfter?: number }
export interface TelegramFake {
  url: string;
  botToken: string;
  bot: TgUser;
  sends: SendMessageBody[];
  updates: TgUpdate[];
  calls: { method: string; body: Record<string, unknown> }[];
  webhook: { url: string; secret_token?: string } | null;
  inboxConfig(extra?: Partial<TelegramConfig>): TelegramConfig;
  customerWrites(input: { from: { id: number; first_name: string; last_name?: string; username?: string; is_bot?: boolean }; text: string; chatId?: number }):
    Promise<{ update: TgUpdate; delivery?: { status: number; body: string } }>;
  pushWebhook(url: string, update: TgUpdate, opts?: { secretToken?: string | null }): Promise<{ status: number; body: string }>;
  pressButton(input: { from: FakeUser; chatId?: number; messageId: number; buttons: { text: string; callback_data: string }[]; data: string }): Promise<{ update: TgUpdate; delivery?: { status: number; body: string } }>;
  edits(input: { from: FakeUser; chatId?: number; messageId: number; text: string }): Promise<{ update: TgUpdate; delivery?: { status: number; body: string } }>;
  reacts(input: { from: FakeUser; chatId?: number; messageId: number; emoji: string | null }): Promise<{ update: TgUpdate; delivery?: { status: number; body: string } }>;
  answeredCallbacks: string[];
  slow(method: string, ms: number): void;
  failNext(n: number, errorCode: number, opts?: { method?: string; retryAfter?: number }): void;
  addFile(data: Uint8Array, opts?: { name?: string; size?: number; fileId?: string }): { file_id: string; file_unique_id: string; file_size: number };
  customerSends(input: { from: { id: number; first_name: string; username?: string }; message: Record<string, unknown>; chatId?: number }):
    Promise<{ update: TgUpdate; delivery?: { status: number; body: string } }>;
  uploads: TelegramUpload[];
  /** Queues n text updates from `customers` private chats at once (a bot back from an outage). */
  queueBacklog(n: number, customers?: number): { first: number; last: number };
  /** Queues one update that does not match the Bot API's schema; returns its update_id. */
  queueMalformed(): number;
  /** getUpdates requests being held open right now (long polling). */
  readonly held: number;
  close(): Promise<void>;
}
type FakeUser = { id: number; first_name: string; last_name?: string; username?: string };
export interface TelegramUpload { method: string; chatId: string; caption?: string; field: string; filename: string; contentType: string; data: Uint8Array }
const FILE_METHODS: Record<string, string> = { sendPhoto: 'photo', sendDocument: 'document', sendVideo: 'video', sendVoice: 'voice', sendAudio: 'audio', sendAnimation: 'animation', sendSticker: 'sticker' };
const BOT_DOWNLOAD_LIMIT = 20 * 1048576;

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request: chat not found', 401: 'Unauthorized', 403: 'Forbidden: bot was blocked by the user',
  409: 'Conflict: can\'t use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first',
  500: 'Internal Server Error', 502: 'Bad Gateway',
};

export async function startTelegramFake(opts: { botToken?: string; botId?: number; botUsername?: string } = {}): Promise<TelegramFake> {
  const botId = opts.botId ?? 7000000001;
  const botToken = opts.botToken ?? `${botId}:AAFakeTokenForParleyTests_0123456789`;
  const bot: TgUser = { id: botId, is_bot: true, first_name: 'Parley Support', username: opts.botUsername ?? 'parley_support_bot' };
  const sends: SendMessageBody[] = [];
  const answeredCallbacks: string[] = [];
  const calls: TelegramFake['calls'] = [];
  const failures: Failure[] = [];
  const slowMethods = new Map<string, number>();
  const chats = new Map<number, { id: number; type: string; first_name?: string; last_name?: string; username?: string }>();
  let updates: TgUpdate[] = [];
  const waiters = new Set<() => void>();
  let held = 0;
  const arrived = () => { for (const w of [...waiters]) w(); };
  let updateSeq = 500_000;
  let messageSeq = 0;
  const state = { webhook: null as TelegramFake['webhook'] };
  const files = new Map<string, { data: Uint8Array; path: string; unique: string; size: number }>();
  const uploads: TelegramUpload[] = [];
  let fileSeq = 0;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, code: number, extra: Record<string, unknown> = {}) =>
    reply(res, code, { ok: false, error_code: code, description: DESCRIPTIONS[code] ?? `Error ${code}`, ...extra });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const dl = /^\/file\/bot([^/]+)\/(.+)$/.exec(u.pathname);
    if (dl && req.method === 'GET') {
      calls.push({ method: 'file', body: { path: dl[2] } });
      const f = [...files.values()].find((x) => x.path === decodeURIComponent(dl[2]));
      if (dl[1] !== botToken) return error(res, 401);
      const fail = failures.find((x) => x.left > 0 && x.method === 'file');
      if (fail) { fail.left--; return error(res, fail.code); }
      if (!f) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.data.byteLength) });
      return res.end(f.data);
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(u.pathname);
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    let body: Record<string, unknown> = Object.fromEntries(u.searchParams);
    let form: FormData | null = null;
    if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: new Uint8Array(bytes) }).formData();
      for (const [k, v] of form) if (typeof v === 'string') body[k] = v;
    } else if (raw.length) {
      try { body = { ...body, ...JSON.parse(raw) }; } catch { return error(res, 400, { description: 'Bad Request: invalid JSON' }); }
    }
    const wait = slowMethods.get(method);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    calls.push({ method, body });
    if (token !== botToken) return error(res, 401);
    const f = failures.find((x) => x.left > 0 && (!x.method || x.method === method));
    if (f) {
      f.left--;
      if (f.code === 429) {
        const after = f.retryAfter ?? 30;
        return error(res, 429, { description: `Too Many Requests: retry after ${after}`, parameters: { retry_after: after } });
      }
      return error(res, f.code);
    }

    switch (method) {
      case 'getMe': return reply(res, 200, { ok: true, result: bot });
      case 'getUpdates': {
        if (state.webhook) return error(res, 409);
        const offset = body.offset != null ? Number(body.offset) : undefined;
        // An offset confirms every update before it: Telegram forgets them.
        if (offset !== undefined) updates = updates.filter((x) => x.update_id >= offset);
        const limit = Math.min(100, Math.max(1, Number(body.limit ?? 100)));
        // Long polling: with nothing waiting, hold the request up to `timeout` seconds and
        // answer the moment an update arrives (as the Bot API does).
        const timeout = Math.min(50, Math.max(0, Number(body.timeout ?? 0)));
        if (updates.length === 0 && timeout > 0) {
          held++;
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, timeout * 1000);
            function done() { clearTimeout(t); waiters.delete(done); res.off('close', done); resolve(); }
            waiters.add(done);
            res.once('close', done);
          });
          held--;
          if (res.destroyed) return;
        }
        return reply(res, 200, { ok: true, result: updates.slice(0, limit) });
      }
      case 'setWebhook': {
        const url = String(body.url ?? '');
        state.webhook = url ? { url, secret_token: body.secret_token as string | undefined } : null;
        return reply(res, 200, { ok: true, result: true, description: url ? 'Webhook was set' : 'Webhook was deleted' });
      }
      case 'deleteWebhook':
        state.webhook = null;
        return reply(res, 200, { ok: true, result: true, description: 'Webhook was deleted' });
      case 'sendMessage': {
        const b = body as unknown as SendMessageBody;
        const chat = chats.get(Number(b.chat_id));
        if (!chat) return error(res, 400);
        if (typeof b.text !== 'string' || !b.text) return error(res, 400, { description: 'Bad Request: message text is empty' });
        if (b.text.length > 4096) return error(res, 400, { description: 'Bad Request: message is too long' });
        sends.push(b);
        const sent: TgMessage = { message_id: ++messageSeq, from: bot, chat: { id: chat.id, type: chat.type }, date: Math.floor(Date.now() / 1000), text: b.text };
        return reply(res, 200, { ok: true, result: sent });
      }
      case 'answerCallbackQuery': {
        if (typeof body.callback_query_id !== 'string') return error(res, 400, { description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' });
        answeredCallbacks.push(body.callback_query_id);
        return reply(res, 200, { ok: true, result: true });
      }
      case 'getFile': {
        const f = files.get(String(body.file_id ?? ''));
        if (!f) return error(res, 400, { description: 'Bad Request: invalid file_id' });
        if (f.size > BOT_DOWNLOAD_LIMIT) return error(res, 400, { description: 'Bad Request: file is too big' });
        return reply(res, 200, { ok: true, result: { file_id: body.file_id, file_unique_id: f.unique, file_size: f.size, file_path: f.path } });
      }
      case 'sendPhoto': case 'sendDocument': case 'sendVideo': case 'sendVoice': case 'sendAudio': case 'sendAnimation': case 'sendSticker': {
        const field = FILE_METHODS[method];
        const chat = chats.get(Number(body.chat_id));
        if (!chat) return error(res, 400);
        const file = form?.get(field);
        if (!(file instanceof File)) return error(res, 400, { description: `Bad Request: there is no ${field} in the request` });
        if (typeof body.caption === 'string' && body.caption.length > 1024) return error(res, 400, { description: 'Bad Request: message caption is too long' });
        const data = new Uint8Array(await file.arrayBuffer());
        uploads.push({ method, chatId: String(body.chat_id), ...(body.caption ? { caption: String(body.caption) } : {}), field, filename: file.name, contentType: file.type, data });
        const sent = { message_id: ++messageSeq, from: bot, chat: { id: chat.id, type: chat.type }, date: Math.floor(Date.now() / 1000), ...(body.caption ? { caption: body.caption } : {}),
          [field]: field === 'photo' ? [{ file_id: `sent-${messageSeq}`, file_unique_id: `u${messageSeq}`, width: 1, height: 1, file_size: data.byteLength }] : { file_id: `sent-${messageSeq}`, file_unique_id: `u${messageSeq}`, file_size: data.byteLength, file_name: file.name } };
        return reply(res, 200, { ok: true, result: sent });
      }
      case 'getChat': {
        const chat = chats.get(Number(body.chat_id));
        if (!chat) return error(res, 400);
        return reply(res, 200, { ok: true, result: chat });
      }
      default:
        return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  };

  const server = createServer((req, res) => { handle(req, res).catch((err) => reply(res, 500, { ok: false, error_code: 500, description: String(err) })); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const push = async (target: string, update: TgUpdate, secretToken: string | null | undefined) => {
    const res = await fetch(target, {
      method: 'POST', body: JSON.stringify(update),
      headers: { 'content-type': 'application/json', ...(secretToken ? { 'x-telegram-bot-api-secret-token': secretToken } : {}) },
    });
    return { status: res.status, body: await res.text() };
  };

  const deliver = async (update: TgUpdate) => {
    if (state.webhook) return { update, delivery: await push(state.webhook.url, update, state.webhook.secret_token) };
    updates.push(update);
    return { update };
  };
  const userOf = (f: FakeUser) => ({ id: f.id, is_bot: false, first_name: f.first_name, ...(f.last_name ? { last_name: f.last_name } : {}), ...(f.username ? { username: f.username } : {}) });
  const chatOf = (f: FakeUser, chatId?: number) => {
    const id = chatId ?? f.id;
    if (!chats.has(id)) chats.set(id, { id, type: id < 0 ? 'group' : 'private', first_name: f.first_name, last_name: f.last_name, username: f.username });
    return { id, type: id < 0 ? 'group' : 'private' };
  };
  let callbackSeq = 0;

  return {
    url, botToken, bot, sends, calls, answeredCallbacks,
    pressButton: ({ from, chatId, messageId, buttons, data }) => deliver({
      update_id: ++updateSeq,
      callback_query: {
        id: `${4382000000 + ++callbackSeq}`, from: userOf(from), chat_instance: '-1234567890', data,
        message: { message_id: messageId, from: bot, chat: chatOf(from, chatId), date: Math.floor(Date.now() / 1000), text: 'Choose one', reply_markup: { inline_keyboard: [buttons] } },
      },
    }),
    edits: ({ from, chatId, messageId, text }) => deliver({
      update_id: ++updateSeq,
      edited_message: { message_id: messageId, from: userOf(from), chat: chatOf(from, chatId), date: Math.floor(Date.now() / 1000) - 60, edit_date: Math.floor(Date.now() / 1000), text },
    }),
    reacts: ({ from, chatId, messageId, emoji }) => deliver({
      update_id: ++updateSeq,
      message_reaction: { chat: chatOf(from, chatId), message_id: messageId, user: userOf(from), date: Math.floor(Date.now() / 1000), old_reaction: [], new_reaction: emoji ? [{ type: 'emoji', emoji }] : [] },
    }),
    get updates() { return updates; },
    get webhook() { return state.webhook; },
    inboxConfig: (extra = {}) => ({ botToken, mode: 'polling', apiBaseUrl: url, ...extra } as TelegramConfig),
    uploads,
    addFile(data, o = {}) {
      const n = ++fileSeq;
      const file_id = o.fileId ?? `BQACAgIAAxkBAAI${n.toString(36).padStart(6, '0')}Fake${botId}`;
      const unique = `AgAD${n.toString(36)}`;
      const dir = /\.(jpe?g|png|webp)$/i.test(o.name ?? '') ? 'photos' : 'documents';
      const size = o.size ?? data.byteLength;
      files.set(file_id, { data, path: `${dir}/file_${n}${o.name ? o.name.slice(o.name.lastIndexOf('.')) : ''}`, unique, size });
      return { file_id, file_unique_id: unique, file_size: size };
    },
    async customerSends({ from, message, chatId }) {
      const id = chatId ?? from.id;
      if (!chats.has(id)) chats.set(id, { id, type: id < 0 ? 'group' : 'private', first_name: from.first_name, username: from.username });
      const update: TgUpdate = {
        update_id: ++updateSeq,
        message: {
          message_id: ++messageSeq,
          from: { id: from.id, is_bot: false, first_name: from.first_name, ...(from.username ? { username: from.username } : {}) },
          chat: { id, type: id < 0 ? 'group' : 'private', ...(id < 0 ? { title: 'Group' } : { first_name: from.first_name }) },
          date: Math.floor(Date.now() / 1000),
          ...message,
        },
      };
      if (state.webhook) return { update, delivery: await push(state.webhook.url, update, state.webhook.secret_token) };
      updates.push(update);
      return { update };
    },
    async customerWrites({ from, text, chatId }) {
      const id = chatId ?? from.id;
      if (!chats.has(id)) chats.set(id, { id, type: id < 0 ? 'group' : 'private', first_name: from.first_name, last_name: from.last_name, username: from.username });
      const update: TgUpdate = {
        update_id: ++updateSeq,
        message: {
          message_id: ++messageSeq,
          from: { id: from.id, is_bot: from.is_bot ?? false, first_name: from.first_name, ...(from.last_name ? { last_name: from.last_name } : {}), ...(from.username ? { username: from.username } : {}), language_code: 'zh-hans' },
          chat: { id, type: id < 0 ? 'group' : 'private', ...(id < 0 ? { title: 'Group' } : { first_name: from.first_name }) },
          date: Math.floor(Date.now() / 1000),
          text,
        },
      };
      if (state.webhook) return { update, delivery: await push(state.webhook.url, update, state.webhook.secret_token) };
      updates.push(update);
      arrived();
      return { update };
    },
    queueBacklog(n, customers = 100) {
      const first = updateSeq + 1;
      const date = Math.floor(Date.now() / 1000);
      for (let i = 0; i < n; i++) {
        const id = 90_000_000 + (i % customers);
        if (!chats.has(id)) chats.set(id, { id, type: 'private', first_name: `Customer ${i % customers}` });
        updates.push({
          update_id: ++updateSeq,
          message: { message_id: ++messageSeq, from: { id, is_bot: false, first_name: `Customer ${i % customers}` }, chat: { id, type: 'private', first_name: `Customer ${i % customers}` }, date, text: `backlog message ${i}` },
        });
      }
      arrived();
      return { first, last: updateSeq };
    },
    queueMalformed() {
      // What a Bot API change or a proxy could hand us: an update whose message is not the documented shape.
      const u = { update_id: ++updateSeq, message: { message_id: 'not-a-number', chat: null } } as unknown as TgUpdate;
      updates.push(u);
      arrived();
      return u.update_id;
    },
    get held() { return held; },
    pushWebhook: (target, update, o = {}) => push(target, update, o.secretToken === undefined ? state.webhook?.secret_token : o.secretToken),
    slow(method, ms) { slowMethods.set(method, ms); },
    failNext(n, code, o = {}) { failures.push({ left: n, code, method: o.method, retryAfter: o.retryAfter }); },
    close: () => new Promise<void>((resolve) => { arrived(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
