// One loop per polling inbox, for runtimes with a long-lived process (Node). A backlog drains
// continuously: after a batch that left more waiting the next starts at once, each still one
// atomic unit with its cursor (pollInbox), with a macrotask yield between batches so HTTP
// requests are served meanwhile. Caught up, the loop either holds a long poll (Telegram
// getUpdates timeout: the answer comes the moment a message does), waits for news on the
// inbox's persistent session (IMAP IDLE), or sleeps until next_poll_at. Failures back off
// through next_poll_at (pollInbox) and sessions reconnect on their next poll.
import type { Connector, PollSession } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { isPaused } from './import-progress.js';
import { connectorFor } from '../inboxes/inbox-config.js';
import { markBadConfig, pollInbox } from './polling.js';
import type { InboxRow } from '../core/rows.js';

export interface PollLoops {
  /** Poll this inbox now (config changed, import resumed, a test). */
  wake(inboxId: string): void;
  /** Inbox ids with a running loop. */
  running(): string[];
  stop(): Promise<void>;
}

export interface PollLoopOptions {
  /** How often the set of polling inboxes is re-read (new, deleted, reconfigured inboxes). */
  scanEveryMs?: number;
}

const yieldMacrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/** Resolves after ms, or early on wake/abort. */
function sleep(ms: number, signal: AbortSignal, woken: { fn: (() => void) | null }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(t); signal.removeEventListener('abort', done); woken.fn = null; resolve(); };
    const t = setTimeout(done, Math.max(0, ms));
    woken.fn = done;
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Loop { config: string; abort: AbortController; wake: { fn: (() => void) | null; pending: boolean }; done: Promise<void> }

export function startPollLoops(deps: Deps, opts: PollLoopOptions = {}): PollLoops {
  const loops = new Map<string, Loop>();
  let stopped = false;

  // Stored config (as sealed) last found unreadable, per inbox: marked once, not every scan.
  const badConfigs = new Map<string, string>();

  const pollingConnector = async (r: Pick<InboxRow, 'id' | 'channel' | 'config'>): Promise<{ connector: Connector<unknown>; config: unknown; every: number } | null> => {
    const connector: Connector<unknown> | undefined = deps.connectors.get(r.channel);
    if (!connector?.poll && !connector?.openSession) return null;
    let config: unknown;
    try {
      config = (await connectorFor(deps, r))!.config;
    } catch (err) {
      // One inbox's broken stored config must not stop the others from polling.
      if (badConfigs.get(r.id) !== r.config) {
        badConfigs.set(r.id, r.config);
        await markBadConfig(deps, r, err);
      }
      return null;
    }
    badConfigs.delete(r.id);
    const every = connector.pollSeconds?.(config);
    return every == null ? null : { connector, config, every };
  };

  async function run(inboxId: string, loop: Loop, connector: Connector<unknown>, config: unknown, every: number) {
    const { signal } = loop.abort;
    const hold = connector.longPollSeconds?.(config) ?? null;
    let session: PollSession | null = null;
    const sessionHooks = { log: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}) => deps.log[level]({ inboxId, channel: connector.kind, ...fields }, msg) };
    if (connector.openSession) session = connector.openSession(config, sessionHooks);
    let caughtUp = false;
    let started = false;
    try {
      while (!signal.aborted) {
        loop.wake.pending = false;
        const row = await deps.store.get<InboxRow>('SELECT * FROM inboxes WHERE id = ?', [inboxId]);
        if (!row) break;
        const now = deps.clock.now();
        const due = row.next_poll_at ?? 0;
        if (isPaused(row)) { await sleep(60_000, signal, loop.wake); continue; }
        // Backing off after a failure, or a rate limit asked for a pause before the next batch.
        const backingOff = row.poll_failures > 0 || (started && !caughtUp);
        if (due > now && backingOff) { await sleep(due - now, signal, loop.wake); if (!loop.wake.pending) continue; }
        started = true;
        const res = await pollInbox(deps, row, every, { session: session ?? undefined, holdSeconds: caughtUp && hold ? hold : undefined, signal });
        if (signal.aborted) break;
        if (res == null) { caughtUp = false; continue; } // failed: next_poll_at holds the backoff
        if (res.more) { caughtUp = false; await yieldMacrotask(); continue; }
        caughtUp = true;
        if (loop.wake.pending) continue;
        if (hold) continue; // long polling: the next request is held until something arrives
        const after = await deps.store.get<{ next_poll_at: number | null }>('SELECT next_poll_at FROM inboxes WHERE id = ?', [inboxId]);
        const wait = Math.max(0, (after?.next_poll_at ?? 0) - deps.clock.now());
        if (session) {
          // Woken or stopped: the wait ends at once (IDLE is left by the next command).
          const ac = new AbortController();
          const end = () => ac.abort();
          signal.addEventListener('abort', end, { once: true });
          loop.wake.fn = end;
          let news;
          try { news = await session.waitForNews(wait, ac.signal); } finally { loop.wake.fn = null; signal.removeEventListener('abort', end); }
          if (news === 'unsupported' && !loop.wake.pending) await sleep(wait, signal, loop.wake);
        } else {
          await sleep(wait, signal, loop.wake);
        }
      }
    } catch (err) {
      deps.log.error({ inboxId, err: (err as Error).message }, 'poll loop stopped');
    } finally {
      await session?.close().catch(() => {});
      if (loops.get(inboxId) === loop) loops.delete(inboxId);
    }
  }

  async function scan() {
    if (stopped) return;
    const rows = await deps.store.all<Pick<InboxRow, 'id' | 'channel' | 'config'>>('SELECT id, channel, config FROM inboxes');
    const seen = new Set<string>();
    for (const r of rows) {
      const id = r.id;
      const cur = loops.get(id);
      if (cur && cur.config === r.config) { seen.add(id); continue; } // unchanged: not reopened
      const p = await pollingConnector(r);
      if (!p) continue;
      seen.add(id);
      if (cur) { cur.abort.abort(); await cur.done; }
      const loop: Loop = { config: r.config, abort: new AbortController(), wake: { fn: null, pending: false }, done: Promise.resolve() };
      loops.set(id, loop);
      loop.done = run(id, loop, p.connector, p.config, p.every);
    }
    for (const [id, loop] of loops) if (!seen.has(id)) loop.abort.abort();
  }

  const scanEvery = opts.scanEveryMs ?? 5000;
  let scanning: Promise<void> = Promise.resolve();
  const rescan = () => { scanning = scanning.then(scan).catch((err) => deps.log.error({ err: (err as Error).message }, 'poll loop scan failed')); return scanning; };
  const timer = setInterval(rescan, scanEvery);
  void rescan();

  return {
    wake(inboxId) {
      // A new or reconfigured inbox gets its loop from a scan; a running one polls now.
      void rescan().then(() => {
        const loop = loops.get(inboxId);
        if (!loop) return;
        loop.wake.pending = true;
        loop.wake.fn?.();
      });
    },
    running: () => [...loops.keys()],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await scanning;
      for (const loop of loops.values()) loop.abort.abort();
      await Promise.all([...loops.values()].map((l) => l.done));
    },
  };
}
