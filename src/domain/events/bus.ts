// In-process pub/sub for domain events after they are stored. SSE streams, outgoing
// webhooks and workflow reactions (assignment, bot) subscribe here.
export interface ParleyEvent {
  id: number;
  type: string;
  inboxId: string | null;
  conversationId: string | null;
  /** Only this user may see it (a mention); null = anyone who may see the inbox. */
  userId: string | null;
  /** For an event of no inbox: the inboxes whose members may see it (null = managers only). */
  audience?: string[] | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

export type EventListener = (e: ParleyEvent) => void | Promise<void>;

export class EventBus {
  private listeners = new Set<EventListener>();
  private onError: (err: unknown, e: ParleyEvent) => void;

  constructor(onError: (err: unknown, e: ParleyEvent) => void = () => {}) {
    this.onError = onError;
  }

  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  publish(e: ParleyEvent): void {
    for (const fn of this.listeners) {
      try {
        const r = fn(e);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((err) => this.onError(err, e));
      } catch (err) {
        this.onError(err, e);
      }
    }
  }
}
