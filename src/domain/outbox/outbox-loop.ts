// The one delivery loop of a process. The scheduler's tick and the kick after a new reply both
// land here, so two passes never race each other. Each inbox is a lane: its replies go out one
// after another (in order), while lanes run side by side, so a slow or failing platform only
// holds up its own inbox. A lane that meets a retryable error (429, 5xx, down) pauses for the
// backoff instead of trying its other replies against a platform that is refusing.
import type { Deps } from '../deps.js';
import { newId } from '../core/ids.js';
import { backoffMs, claimNext, dueLanes, recoverExpired, releaseClaim, renewLease, sendClaimed, stillWaiting, type Outcome } from './outbox.js';

export interface DeliveryReport { claimed: number; sent: number; retried: number; failed: number; unknown: number }
export interface OutboxLoopOptions {
  /** How long a claim holds without renewal; renewed every third of it while sending. */
  leaseMs?: number;
  /** Lanes (inboxes) delivering at once. */
  maxLanes?: number;
  /** Longest pause of a failing lane between attempts (a platform's Retry-After still wins). */
  maxPauseMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_LANES = 16;

export class OutboxLoop {
  private readonly lanes = new Map<string, Promise<void>>();
  /** A lane's pause and the reply whose failure caused it: void once that reply moved on. */
  private readonly pausedUntil = new Map<string, { until: number; rowId: string; nextAttemptAt: number }>();
  /** Retryable failures in a row per lane: the pause grows with them, whichever reply is tried. */
  private readonly laneFailures = new Map<string, number>();
  private readonly reports = new Set<DeliveryReport & { limit: number }>();
  private readonly leaseMs: number;
  private readonly maxLanes: number;
  private readonly maxPauseMs: number;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private stopping = false;

  constructor(private readonly deps: Deps, opts: OutboxLoopOptions = {}) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.maxLanes = opts.maxLanes ?? DEFAULT_MAX_LANES;
    this.maxPauseMs = opts.maxPauseMs ?? 5 * 60_000;
  }

  /** Start delivering whatever is due; returns at once. */
  kick(): void {
    if (this.stopping) return;
    void this.scan().catch((err) => this.deps.log.error({ err: (err as Error).message }, 'outbox scan failed'));
  }

  /** Delivers everything due now and waits until the lanes are idle (tests, the bench). */
  async drain(opts: { limit?: number } = {}): Promise<DeliveryReport> {
    const report = { claimed: 0, sent: 0, retried: 0, failed: 0, unknown: 0, limit: opts.limit ?? Infinity };
    this.reports.add(report);
    try {
      for (;;) {
        await this.scan();
        if (this.lanes.size === 0) break;
        await Promise.all([...this.lanes.values()]);
        if (report.claimed >= report.limit) break;
      }
    } finally {
      this.reports.delete(report);
    }
    const { limit: _, ...out } = report;
    return out;
  }

  /** Stops claiming, waits up to `timeoutMs` for sends in flight; claims not yet sent are released. */
  async stop(timeoutMs = 8_000): Promise<void> {
    this.stopping = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([...this.lanes.values()]),
      new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); }),
    ]);
    if (timer !== undefined) clearTimeout(timer);
  }

  private scan(): Promise<void> {
    if (this.scanning) { this.rescan = true; return this.scanning; }
    this.scanning = (async () => {
      try {
        do {
          this.rescan = false;
          const unknown = await recoverExpired(this.deps);
          if (unknown) this.count('unknown', unknown);
          const now = this.deps.clock.now();
          for (const inboxId of await dueLanes(this.deps)) {
            if (this.stopping || this.lanes.size >= this.maxLanes) break;
            if (this.lanes.has(inboxId)) continue;
            const pause = this.pausedUntil.get(inboxId);
            // A pause holds while its reply still waits; sent elsewhere, or re-queued by an
            // agent after fixing the inbox, the platform is worth trying again now.
            if (pause && pause.until > now && await stillWaiting(this.deps, pause.rowId, pause.nextAttemptAt)) continue;
            this.pausedUntil.delete(inboxId);
            const lane = this.runLane(inboxId).finally(() => {
              this.lanes.delete(inboxId);
              // A lane may have been left out at the cap: look again now a slot is free.
              if (!this.stopping) this.kick();
            });
            this.lanes.set(inboxId, lane);
          }
        } while (this.rescan && !this.stopping);
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  private async runLane(inboxId: string): Promise<void> {
    try {
      while (!this.stopping && !this.overLimit()) {
        const token = newId();
        const row = await claimNext(this.deps, inboxId, token, this.leaseMs);
        if (!row) return;
        if (this.stopping) { await releaseClaim(this.deps, row.id, token); return; }
        this.count('claimed');
        const renew = setInterval(() => {
          renewLease(this.deps, row.id, token, this.leaseMs).catch(() => {});
        }, Math.max(50, Math.floor(this.leaseMs / 3)));
        let result;
        try {
          result = await sendClaimed(this.deps, row, token, this.leaseMs);
        } finally {
          clearInterval(renew);
        }
        if (result.outcome !== 'lost') this.count(result.outcome);
        if (result.outcome === 'sent') this.laneFailures.delete(inboxId);
        if (result.outcome === 'retried') {
          const failures = (this.laneFailures.get(inboxId) ?? 0) + 1;
          this.laneFailures.set(inboxId, failures);
          this.pausedUntil.set(inboxId, { until: this.deps.clock.now() + Math.max(result.retryAfterMs ?? 0, Math.min(this.maxPauseMs, backoffMs(failures))),
            rowId: row.id, nextAttemptAt: result.nextAttemptAt ?? 0 });
          return;
        }
      }
    } catch (err) {
      this.deps.log.error({ inboxId, err: (err as Error).message }, 'outbox lane failed');
    }
  }

  private overLimit(): boolean {
    for (const r of this.reports) if (r.claimed >= r.limit) return true;
    return false;
  }

  private count(what: Exclude<Outcome, 'lost'> | 'claimed' | 'unknown', n = 1): void {
    for (const r of this.reports) r[what] += n;
  }
}

const loops = new WeakMap<Deps, OutboxLoop>();

/** The process's delivery loop for these deps (created on first use). */
export function outboxLoop(deps: Deps, opts?: OutboxLoopOptions): OutboxLoop {
  let loop = loops.get(deps);
  if (!loop) { loop = new OutboxLoop(deps, opts); loops.set(deps, loop); }
  return loop;
}

/** Delivers what is due through the process's loop and reports what happened. */
export function deliverDueOutbox(deps: Deps, opts: { limit?: number } = {}): Promise<DeliveryReport> {
  return outboxLoop(deps).drain(opts);
}
