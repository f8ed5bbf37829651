// Mail is parsed in a worker thread with a time and size budget, so one crafted message can
// neither freeze the server (the event loop stays free while it parses) nor block the mailbox:
// past the budget the worker is ended and the mail becomes a message saying it could not be
// fully read, with the original attached; the poll goes on and its cursor moves past it.
// One worker per process, jobs one at a time (parsing is CPU-bound; two cores are shared).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InboundEvent } from '../types.js';
import type { ParseOptions } from './parse.js';
import { partlyReadEvent } from './parse.js';

export interface ParseBudget {
  /** Wall time one mail may take in the worker. */
  timeoutMs: number;
  /** Larger mails are not parsed at all. */
  maxBytes: number;
}
export const DEFAULT_BUDGET: ParseBudget = { timeoutMs: 15_000, maxBytes: 30 * 1024 * 1024 };
/** The worker's heap: a parse that needs more fails alone instead of taking the process down. */
const WORKER_HEAP_MB = 768;
const IDLE_MS = 60_000;

// An eval'd bootstrap, so the worker runs the TypeScript entry under tsx when Parley itself
// runs from source (npm start, tests) and the compiled .js entry otherwise.
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;

/** tsx's ESM register() (its import condition: the require one resolves its chunks wrongly). */
function tsxEsmApi(): string {
  const req = createRequire(import.meta.url);
  const pkgFile = req.resolve('tsx/package.json');
  const pkg = req(pkgFile) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api'].import.default)).href;
}

interface Pending { resolve(v: { events?: InboundEvent[]; error?: string }): void; job: { raw: Uint8Array; opts: ParseOptions } }

class ParsePool {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private waiting: Promise<unknown> = Promise.resolve();
  private current: { id: number; p: Pending } | null = null;
  private queued = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const entry = new URL(`./parse-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    const tsx = entry.pathname.endsWith('.ts') ? tsxEsmApi() : null;
    const w = new Worker(BOOT, { eval: true, workerData: { entry: entry.href, tsx }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    w.unref();
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: { ready?: boolean; id?: number; events?: InboundEvent[]; error?: string }) => {
        if (m.ready) { resolve(); return; }
        if (this.current && m.id === this.current.id) { const { p } = this.current; this.current = null; p.resolve(m); }
      });
      w.once('error', (err) => { reject(err); this.fail(w, err.message); });
      w.once('exit', (code) => { reject(new Error(`the mail parser stopped (${code})`)); this.fail(w, `the mail parser stopped (exit ${code})`); });
    });
    return this.ready;
  }

  /** The worker died (out of memory, crash): the job it held fails, the next job starts a new one. */
  private fail(w: Worker, why: string) {
    if (this.worker !== w) return;
    this.worker = null;
    this.ready = null;
    if (this.current) { const { p } = this.current; this.current = null; p.resolve({ error: why }); }
  }

  private async stop() {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (w) await w.terminate();
  }

  /** Parses within the budget; resolves with events or with why it could not. Never rejects. */
  run(raw: Uint8Array, opts: ParseOptions, timeoutMs: number): Promise<{ events?: InboundEvent[]; error?: string }> {
    this.queued++;
    if (this.idle) { clearTimeout(this.idle); this.idle = null; }
    const turn = this.waiting.then(async () => {
      try { await this.start(); } catch (err) { return { error: `the mail parser could not start: ${(err as Error).message}` }; }
      const id = this.nextId++;
      return new Promise<{ events?: InboundEvent[]; error?: string }>((resolve) => {
        const timer = setTimeout(() => {
          if (this.current?.id !== id) return;
          this.current = null;
          resolve({ error: `parsing took longer than ${timeoutMs} ms` });
          void this.stop();
        }, timeoutMs);
        const done = (v: { events?: InboundEvent[]; error?: string }) => { clearTimeout(timer); resolve(v); };
        this.current = { id, p: { resolve: done, job: { raw, opts } } };
        // A copy goes to the worker (the caller keeps the original for the fallback message).
        this.worker!.postMessage({ id, raw, opts });
      });
    });
    this.waiting = turn;
    // An idle worker is ended (its heap and thread are not held between polls); the next
    // mail starts a new one (~0.5 s, once per burst of mail).
    void turn.then(() => {
      if (--this.queued > 0) return;
      this.idle = setTimeout(() => { this.idle = null; if (this.queued === 0) void this.stop(); }, IDLE_MS);
      this.idle.unref();
    });
    return turn;
  }
}

const pool = new ParsePool();

/** One raw mail -> events, parsed off the event loop within the budget (see the file comment). */
export async function parseInWorker(raw: Uint8Array, opts: ParseOptions, budget: ParseBudget = DEFAULT_BUDGET): Promise<InboundEvent[]> {
  if (raw.byteLength > budget.maxBytes) {
    return [partlyReadEvent(raw, `it is ${mb(raw.byteLength)} MB, over the ${mb(budget.maxBytes)} MB Parley reads`, opts)];
  }
  const r = await pool.run(raw, opts, budget.timeoutMs);
  if (r.events) return r.events;
  return [partlyReadEvent(raw, r.error ?? 'unknown error', opts)];
}

const mb = (n: number) => (n / 1048576).toFixed(n < 1048576 ? 2 : 0);
