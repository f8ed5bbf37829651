// IMAP polling with imapflow. The cursor is {uidValidity, lastUid} of the mailbox; a poll
// returns at most one batch (count- and byte-capped) of the oldest messages above lastUid and
// the cursor after them. The caller stores the batch and the cursor in one atomic unit, so a
// poll killed anywhere before that commit is simply repeated, and one after it never is.
// When UIDVALIDITY changes (mailbox rebuilt, restored, moved server), UIDs mean nothing any
// more: the mailbox is read again from the start and Message-ID dedupe (the messages'
// external ids) keeps what is already stored from being imported twice.
import { ImapFlow, type FetchMessageObject, type MailboxObject } from 'imapflow';
import type { InboundEvent, PollResult, PollSession, SessionHooks } from '../types.js';
import type { EmailConfig } from './config.js';
import { unreadableEvent } from './parse.js';
import { messageIdKey } from './message-id.js';
import { assertPublicHost, PrivateNetworkError } from '../net-guard.js';
import { DEFAULT_BUDGET, parseInWorker } from './parse-pool.js';

export const DEFAULT_BATCH = 50;
/** Bytes of raw mail fetched per poll (one message is always taken, however large, up to MAX_MESSAGE_BYTES). */
const BATCH_BYTES = 40 * 1024 * 1024;
/** Larger messages are imported from their headers only, with a note. */
const MAX_MESSAGE_BYTES = 60 * 1024 * 1024;

export interface ImapCursor {
  uidValidity: string;
  lastUid: number;
  /** Set when the inbox skipped the mail already there (skipExisting): INTERNALDATE (ms) of the newest
   *  skipped message; mail received up to then is never imported, even after a resync. */
  since?: number;
}

export function decodeCursor(s: string | null): ImapCursor | null {
  if (!s) return null;
  try {
    const v = JSON.parse(s) as Partial<ImapCursor>;
    if (typeof v.uidValidity === 'string' && Number.isInteger(v.lastUid)) {
      return { uidValidity: v.uidValidity, lastUid: v.lastUid!, ...(typeof v.since === 'number' ? { since: v.since } : {}) };
    }
  } catch { /* fall through: start over, dedupe keeps it safe */ }
  return null;
}
const encodeCursor = (c: ImapCursor) => JSON.stringify(c.since == null ? { uidValidity: c.uidValidity, lastUid: c.lastUid } : c);

interface ErrorLike { message?: string; code?: string; authenticationFailed?: boolean; responseText?: string; serverResponseCode?: string; mailboxMissing?: boolean; response?: unknown }

/** An error an admin can act on: which server, what went wrong, what to check. */
export function describeImapError(err: unknown, c: EmailConfig): Error {
  const e = (err ?? {}) as ErrorLike;
  const where = `${c.imap.host}:${c.imap.port}`;
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new Error(`IMAP login failed for "${c.imap.user}" on ${where}${e.responseText ? ` (${e.responseText})` : ''}: check the user name and password; Gmail and Outlook need an app password`);
  }
  if (e.mailboxMissing || (e.serverResponseCode === 'NONEXISTENT')) {
    return new Error(`IMAP mailbox "${c.imap.mailbox ?? 'INBOX'}" does not exist on ${where}`);
  }
  const net: Record<string, string> = {
    ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', EAI_AGAIN: 'DNS lookup failed', ETIMEDOUT: 'timed out',
    CONNECT_TIMEOUT: 'timed out connecting', GREETING_TIMEOUT: 'no greeting from the server', ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', NoConnection: 'connection closed',
  };
  if (e.code && net[e.code]) return new Error(`Cannot reach IMAP server ${where}: ${net[e.code]}; check host, port and TLS settings`);
  const msg = e.message ?? '';
  if (/wrong version number|packet length too long|unknown protocol/i.test(msg)) {
    return new Error(`TLS failed with IMAP server ${where}: the server does not speak TLS on this port; check the port and the "secure" setting (993 = secure true, 143 = secure false)`);
  }
  if (/tls|ssl|certificate/i.test(msg)) {
    const reason = msg.split('\n')[0].replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/i, '').replace(/:[^:]*\.c:\d+:?$/, '').trim();
    return new Error(`TLS failed with IMAP server ${where}: ${reason}; check the port and the "secure" setting (993 = secure true, 143 = secure false)`);
  }
  return new Error(`IMAP error on ${where}: ${e.responseText ?? e.message ?? String(err)}`);
}

function newClient(c: EmailConfig) {
  return new ImapFlow({
    host: c.imap.host, port: c.imap.port, secure: c.imap.secure,
    // Without implicit TLS, STARTTLS is required unless the inbox says allowPlaintext.
    doSTARTTLS: c.imap.secure ? undefined : c.allowPlaintext ? false : true,
    auth: { user: c.imap.user, pass: c.imap.password },
    logger: false,
    connectionTimeout: 20_000, greetingTimeout: 15_000, socketTimeout: 120_000,
    // IDLE is started by waitForNews only, on the mailbox the inbox reads; servers drop an
    // IDLE after ~30 minutes, so it is renewed well before that.
    disableAutoIdle: true, maxIdleTime: 5 * 60_000,
  });
}

/** A batch yields to the event loop at least this often (HTTP stays answered during an import; parsing itself runs in a worker). */
const PARSE_SLICE_MS = 10;
const yieldMacrotask = () => new Promise<void>((r) => setImmediate(r));

/** The first poll's starting point: everything, the last N days, or only mail from now on. */
function historyStart(c: EmailConfig): 'all' | 'none' | { sinceMs: number } {
  const mode = c.importHistory ?? (c.skipExisting ? 'none' : 'all');
  if (mode === 'recent') return { sinceMs: Date.now() - (c.importDays ?? 30) * 86_400_000 };
  return mode;
}

/**
 * One IMAP connection for one inbox, shared by fetching and IDLE (PollSession). Connected on
 * first use and again after it dropped; the poll loop's backoff paces reconnects.
 */
export class MailboxSession implements PollSession {
  private client: ImapFlow | null = null;
  private socketError: unknown = null;
  private news = false;
  private wake: ((r: 'news' | 'dropped') => void) | null = null;
  private pending: { uidValidity: string; since: number | undefined; after: number; uids: number[]; sizes: Map<number, number> } | null = null;
  readonly mailbox: string;

  constructor(private readonly c: EmailConfig, private readonly hooks: SessionHooks = {}) {
    this.mailbox = c.imap.mailbox ?? 'INBOX';
  }

  private async connected(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    this.client?.close();
    this.client = null;
    // Checked on every (re)connect: DNS may point the host somewhere else since the last one.
    try {
      await assertPublicHost(this.c.imap.host);
    } catch (err) {
      if (err instanceof PrivateNetworkError) throw new Error(`IMAP ${this.c.imap.host}: ${err.message}`);
      throw describeImapError(err, this.c);
    }
    const client = newClient(this.c);
    this.client = client;
    this.socketError = null;
    // imapflow reports socket trouble as 'error' events; without a listener Node would crash.
    client.on('error', (err) => { this.socketError = err; });
    client.on('exists', (d: { path?: string; count?: number; prevCount?: number }) => {
      if (d.path && d.path !== this.mailbox) return;
      if ((d.count ?? 0) > (d.prevCount ?? 0)) { this.news = true; this.wake?.('news'); }
    });
    client.on('close', () => { if (this.client === client) this.wake?.('dropped'); });
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw describeImapError(err, this.c);
    }
    return client;
  }

  async poll(cursor: string | null, signal?: AbortSignal): Promise<PollResult> {
    const c = this.c;
    const mailbox = this.mailbox;
    const prev = decodeCursor(cursor);
    const check = () => { if (signal?.aborted) throw new Error('IMAP poll aborted'); };
    const abort = () => { this.client?.close(); };
    signal?.addEventListener('abort', abort, { once: true });
    // Mail that arrives while this batch is read is found by its search or the next one.
    this.news = false;
    try {
      const reused = this.client?.usable === true;
      const client = await this.connected();
      check();
      let lock;
      try {
        lock = await client.getMailboxLock(mailbox);
      } catch (err) {
        throw describeImapError(err, c);
      }
      try {
        const box = client.mailbox as MailboxObject;
        const uidValidity = String(box.uidValidity);
        const lastUid = prev && prev.uidValidity === uidValidity ? prev.lastUid : 0;
        let since = prev?.since;
        const start = prev == null ? historyStart(c) : 'all';
        if (start === 'none') {
          // Connecting a mailbox with years of history: only mail arriving from now on, even
          // after a later UIDVALIDITY resync (the `since` date stays in the cursor).
          // `since` is the server's own INTERNALDATE of the newest message there (no clock skew).
          const existing = box.exists === 0 ? [] : ((await client.search({ all: true }, { uid: true })) || []);
          const newest = existing.reduce((a, b) => Math.max(a, b), 0);
          const last = newest ? await client.fetchOne(String(newest), { uid: true, internalDate: true }, { uid: true }) : false;
          const at = last && last.internalDate ? new Date(last.internalDate).getTime() : undefined;
          return { events: [], cursor: encodeCursor({ uidValidity, lastUid: newest, since: at }), backlog: { remaining: 0 } };
        }
        if (typeof start === 'object') since = start.sinceMs; // the last N days: older mail is never imported
        const unchanged = encodeCursor({ uidValidity, lastUid, since });

        // The UIDs (and sizes) waiting above the cursor are searched once per backlog and
        // kept on the session while its cursor is the one they were found for: a batch is then
        // one FETCH, not a search, a size fetch and a fetch (UIDs never change meaning
        // under one UIDVALIDITY; mail arriving meanwhile is above them, found by the next search).
        let pending = this.pending;
        if (!pending || pending.uidValidity !== uidValidity || pending.after !== lastUid || pending.since !== since || pending.uids.length === 0) {
          // A server shows a command only the messages it has announced (EXISTS); on a connection
          // kept open NOOP makes it announce what arrived since, so the search sees it.
          if (reused) await client.noop();
          // `n:*` always matches the newest message even when its UID is below n: filter.
          // SINCE is by day (a day early for time zones); INTERNALDATE decides exactly below.
          const found = (await client.search({ uid: `${lastUid + 1}:*`, ...(since ? { since: new Date(since - 86_400_000) } : {}) }, { uid: true })) || [];
          const waiting = found.filter((u) => u > lastUid).sort((a, b) => a - b);
          const sizes = waiting.length ? await client.fetchAll(uidSet(waiting), { uid: true, size: true }, { uid: true }) : [];
          pending = { uidValidity, since, after: lastUid, uids: waiting, sizes: new Map(sizes.map((m) => [m.uid, m.size ?? 0])) };
          this.pending = pending;
        }
        const uids = pending.uids.slice(0, c.batchSize ?? DEFAULT_BATCH);
        if (uids.length === 0) return { events: [], cursor: unchanged, backlog: { remaining: 0 } };
        check();

        const sizeOf = pending.sizes;
        const take: number[] = [];
        let bytes = 0;
        for (const uid of uids) {
          const size = Math.min(sizeOf.get(uid) ?? 0, MAX_MESSAGE_BYTES);
          if (take.length > 0 && bytes + size > BATCH_BYTES) break;
          take.push(uid);
          bytes += size;
        }
        const whole = take.filter((u) => (sizeOf.get(u) ?? 0) <= MAX_MESSAGE_BYTES);
        const huge = take.filter((u) => (sizeOf.get(u) ?? 0) > MAX_MESSAGE_BYTES);
        const fetched: FetchMessageObject[] = [];
        if (whole.length) fetched.push(...await client.fetchAll(uidSet(whole), { uid: true, source: true, internalDate: true }, { uid: true }));
        if (huge.length) fetched.push(...await client.fetchAll(uidSet(huge), { uid: true, headers: true, internalDate: true, size: true }, { uid: true }));
        fetched.sort((a, b) => a.uid - b.uid);
        check();

        const events: InboundEvent[] = [];
        const ownIdKey = messageIdKey(c);
        const budget = {
          timeoutMs: c.parseTimeoutMs ?? DEFAULT_BUDGET.timeoutMs,
          maxBytes: c.maxParseMb ? Math.round(c.maxParseMb * 1048576) : DEFAULT_BUDGET.maxBytes,
        };
        let slice = performance.now();
        for (const m of fetched) {
          const receivedAt = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : undefined;
          if (since && receivedAt && receivedAt.getTime() <= since) continue; // skipped history, met again after a resync
          const opts = { address: c.address, ownIdKey, receivedAt, maxAttachmentBytes: c.maxAttachmentMb ? Math.round(c.maxAttachmentMb * 1048576) : undefined, meta: { imap: { mailbox, uidValidity, uid: m.uid } } };
          let raw: Uint8Array | undefined = m.source;
          if (!raw && m.headers) {
            const note = `\r\n(This email is ${Math.round((m.size ?? 0) / 1048576)} MB, over Parley's ${MAX_MESSAGE_BYTES / 1048576} MB limit: only its headers were imported. Open it in the mailbox.)\r\n`;
            raw = Buffer.concat([stripContentHeaders(m.headers), Buffer.from(note)]);
          }
          if (!raw) continue;
          try {
            // In a worker with a time/size budget: past it the mail is stored as partly read.
            events.push(...await parseInWorker(raw, opts, budget));
          } catch (err) {
            // One unreadable mail is stored as such; it never stalls the batch or the cursor.
            events.push(unreadableEvent(raw, err, opts));
          }
          if (performance.now() - slice > PARSE_SLICE_MS) { await yieldMacrotask(); slice = performance.now(); }
          check();
        }
        // The cache moves on with the cursor this result carries; if that is never stored (a
        // crash, a failed commit) the next poll's cursor will not match and it searches again.
        pending.uids = pending.uids.slice(take.length);
        for (const u of take) pending.sizes.delete(u);
        pending.after = take[take.length - 1];
        const remaining = pending.uids.length;
        return { events, cursor: encodeCursor({ uidValidity, lastUid: take[take.length - 1], since }), more: remaining > 0, backlog: { remaining } };
      } finally {
        lock.release();
      }
    } catch (err) {
      if (signal?.aborted) throw new Error('IMAP poll aborted');
      if (this.socketError && !(err instanceof Error && err.message.startsWith('IMAP'))) throw describeImapError(this.socketError, c);
      throw err instanceof Error && /^(IMAP|Cannot reach|TLS failed)/.test(err.message) ? err : describeImapError(err, c);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  async waitForNews(maxMs: number, signal?: AbortSignal): Promise<'news' | 'timeout' | 'unsupported' | 'dropped'> {
    const client = this.client;
    if (!client?.usable) return 'dropped';
    if (!client.capabilities.has('IDLE')) return 'unsupported';
    if (this.news) return 'news';
    if (signal?.aborted) return 'timeout';
    return new Promise((resolve) => {
      const finish = (r: 'news' | 'timeout' | 'dropped') => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = null;
        resolve(r);
      };
      const onAbort = () => finish('timeout');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, maxMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = finish;
      // Resolves only when IDLE ends (the next command breaks it, or the socket closes).
      client.idle({ whenFree: true }).then((ok) => { if (ok === false) this.wake?.('dropped'); }, () => this.wake?.('dropped'));
      this.hooks.log?.('info', 'IMAP IDLE', { mailbox: this.mailbox });
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.wake?.('dropped');
    if (!client) return;
    if (client.usable) await client.logout().catch(() => client.close());
    else client.close();
  }
}

/** One poll on a connection of its own (the scheduled path and tools; the poll loop keeps a session). */
export async function pollMailbox(c: EmailConfig, cursor: string | null, signal?: AbortSignal): Promise<PollResult> {
  const session = new MailboxSession(c);
  try {
    return await session.poll(cursor, signal);
  } finally {
    await session.close();
  }
}

/** Sorted UIDs as an IMAP sequence set with ranges ("1:50,52,60:70"): a backlog's UIDs are mostly consecutive. */
export function uidSet(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

/** Headers of a too-large message, as a plain-text message (its MIME structure is gone). */
function stripContentHeaders(headers: Buffer): Buffer {
  const text = headers.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const kept = text.split(/\r?\n/).filter((l) => l && !/^(content-type|content-transfer-encoding|mime-version):/i.test(l));
  return Buffer.from(`${kept.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n`, 'latin1');
}
