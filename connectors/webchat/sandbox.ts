// `npm run demo`: web chat has no platform to fake: the simulated visitors use Parley's public
// widget API (/public/webchat/:token/*), exactly as the widget does.
import type { SandboxAdapter, SandboxInbox, SandboxOutbound } from '../sandbox.js';

type Post = (url: string, body?: unknown, token?: string) => Promise<Response>;
const post: Post = (url, body, token) => fetch(url, {
  method: 'POST',
  headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body ? JSON.stringify(body) : undefined,
});

export const sandbox: SandboxAdapter = {
  name: 'Website chat 网站客服',
  async start() {
    const visitors = new Map<string, string>();
    // What agents sent each visitor, read the way the widget reads it.
    let seen: SandboxOutbound[] = [];
    let reader: ReturnType<typeof setInterval> | undefined;
    const readReplies = async (inbox: SandboxInbox) => {
      const fresh: SandboxOutbound[] = [];
      for (const [customerId, token] of visitors) {
        const r = await fetch(`${inbox.baseUrl}/public/webchat/${inbox.webchatToken}/messages`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
        if (!r?.ok) continue;
        const { data } = await r.json() as { data: { direction: string; content: string; sender: { type: string } }[] };
        for (const m of data) if (m.direction === 'out' && m.sender.type === 'user') fresh.push({ customerKey: customerId, text: m.content });
      }
      seen = fresh;
    };
    return {
      config: {},
      async write(inbox, c, text) {
        reader ??= setInterval(() => void readReplies(inbox).catch(() => {}), 2_000);
        const root = `${inbox.baseUrl}/public/webchat/${inbox.webchatToken}`;
        let token = visitors.get(c.id);
        if (!token) {
          const s = await post(`${root}/sessions`, { name: c.name, email: c.email });
          token = ((await s.json()) as { visitorToken: string }).visitorToken;
          visitors.set(c.id, token);
        }
        const sent = await post(`${root}/messages`, { content: text }, token);
        // Visitor tokens expire after a day: trade it for a fresh one, as the widget does.
        if (sent.status === 401) {
          const r = await post(`${root}/sessions/refresh`, undefined, token);
          if (r.ok) visitors.set(c.id, ((await r.json()) as { visitorToken: string }).visitorToken);
          else visitors.delete(c.id);
        }
      },
      outbound: () => seen,
      keyOf: (c) => c.id,
      close: async () => { clearInterval(reader); },
    };
  },
};
