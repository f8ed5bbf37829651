// Which inboxes each user with an open stream belongs to, for filtering events without a query
// per event: loaded when a user's first stream opens, then refreshed for every such user in one
// query every few seconds, so a new member starts seeing an inbox without reconnecting; and at
// once for the users an `inbox.members_changed` event names (`reload`, run by the stream that
// heard it: on Workers a timer may do no I/O outside a request, the stream's own request may).
import type { Store } from '../core/store.js';

const REFRESH_MS = 5_000;

export class Memberships {
  private readonly byUser = new Map<string, { inboxes: Set<string>; streams: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly store: Store) {}

  /** Starts tracking a user (await before the stream opens); returns the release function. */
  async track(userId: string): Promise<() => void> {
    let entry = this.byUser.get(userId);
    if (!entry) {
      entry = { inboxes: await this.load(userId), streams: 0 };
      this.byUser.set(userId, this.byUser.get(userId) ?? entry);
      entry = this.byUser.get(userId)!;
    }
    entry.streams++;
    if (!this.timer) {
      this.timer = setInterval(() => { void this.refresh().catch(() => {}); }, REFRESH_MS);
      // Node: never keep the process alive for it; Workers' timers are plain numbers.
      (this.timer as { unref?: () => void }).unref?.();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const e = this.byUser.get(userId);
      if (e && --e.streams <= 0) this.byUser.delete(userId);
      if (this.byUser.size === 0 && this.timer) { clearInterval(this.timer); this.timer = null; }
    };
  }

  has(userId: string, inboxId: string): boolean {
    return this.byUser.get(userId)?.inboxes.has(inboxId) ?? false;
  }

  hasAny(userId: string, inboxIds: string[]): boolean {
    const mine = this.byUser.get(userId)?.inboxes;
    return !!mine && inboxIds.some((id) => mine.has(id));
  }

  /** Re-reads the inboxes of those of `userIds` who are tracked (one query); others are ignored. */
  async reload(userIds: string[]): Promise<void> {
    const tracked = userIds.filter((u) => this.byUser.has(u));
    if (tracked.length) await this.refreshUsers(tracked);
  }

  private async load(userId: string): Promise<Set<string>> {
    const rows = await this.store.all<{ inbox_id: string }>('SELECT inbox_id FROM inbox_members WHERE user_id = ?', [userId]);
    return new Set(rows.map((r) => r.inbox_id));
  }

  private async refresh(): Promise<void> {
    const users = [...this.byUser.keys()];
    if (users.length) await this.refreshUsers(users);
  }

  private async refreshUsers(users: string[]): Promise<void> {
    const rows = await this.store.all<{ user_id: string; inbox_id: string }>(
      'SELECT user_id, inbox_id FROM inbox_members WHERE user_id IN (SELECT value FROM json_each(?))', [JSON.stringify(users)]);
    const next = new Map<string, Set<string>>(users.map((u) => [u, new Set()]));
    for (const r of rows) next.get(r.user_id)?.add(r.inbox_id);
    for (const [u, set] of next) { const e = this.byUser.get(u); if (e) e.inboxes = set; }
  }
}

const caches = new WeakMap<Store, Memberships>();
export function memberships(store: Store): Memberships {
  let m = caches.get(store);
  if (!m) { m = new Memberships(store); caches.set(store, m); }
  return m;
}
