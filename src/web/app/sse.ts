// One EventSource per logged-in tab (the session cookie authenticates it on the same origin).
type Handler = (type: string, data: any) => void;
const TYPES = ['message.created', 'message.updated', 'conversation.created', 'conversation.updated', 'sla.warning', 'sla.breached', 'csat.received', 'csat.requested', 'mention'];

let es: EventSource | null = null;
const handlers = new Set<Handler>();
const statusHandlers = new Set<(live: boolean) => void>();
export let live = false;

export function connect(): void {
  if (es) return;
  es = new EventSource('/api/v1/events');
  const setLive = (v: boolean) => { live = v; statusHandlers.forEach((f) => f(v)); };
  es.addEventListener('ready', () => setLive(true));
  es.onerror = () => setLive(false);
  for (const t of TYPES) {
    es.addEventListener(t, (ev) => {
      let data: any = {};
      try { data = JSON.parse((ev as MessageEvent).data); } catch { /* ignore */ }
      handlers.forEach((h) => h(t, data));
    });
  }
}

export function disconnect(): void {
  es?.close();
  es = null;
  live = false;
  statusHandlers.forEach((f) => f(false));
}

export const onEvent = (h: Handler) => { handlers.add(h); return () => handlers.delete(h); };
export const onStatus = (h: (live: boolean) => void) => { statusHandlers.add(h); h(live); return () => statusHandlers.delete(h); };
