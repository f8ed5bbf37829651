// `npm run demo`: Parley plus a sandbox. Every platform's fake server runs on loopback, one
// inbox per channel points at it, and simulated customers of a digital wallet write in (in
// Chinese and English) and answer when an agent replies. No platform account anywhere.
import { rmSync } from 'node:fs';
import { createApiToken, createUser } from '../auth/users.js';
import type { SandboxAdapter, SandboxRun } from '../../connectors/sandbox.js';
import { loadSandbox } from './sandbox/channels.js';
import { sandboxFaq } from './sandbox/faq.js';
import { startFakeLlm } from './sandbox/fake-llm.js';
import { customers, followUps, type SimulatedCustomer } from './sandbox/script.js';
import { startParley } from './server.js';

// The sandbox's fake platforms listen on loopback.
process.env.PARLEY_ALLOW_PRIVATE_NETWORK ??= '1';
const port = Number(process.env.PORT ?? 3000);
const dbFile = process.env.PARLEY_DB ?? 'data/demo.db';
// A fresh sandbox each run, unless you point it at a store of your own.
if (!process.env.PARLEY_DB) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });

// The sandbox's fakes live on loopback; let the model client reach them.
process.env.PARLEY_ALLOW_PRIVATE_NETWORK ??= '1';
const adminPassword = process.env.PARLEY_ADMIN_PASSWORD ?? 'demo-admin-password';
const running = await startParley({
  port, host: process.env.HOST ?? '0.0.0.0', dbFile,
  publicUrl: process.env.PARLEY_PUBLIC_URL,
  bootstrapAdmin: { email: process.env.PARLEY_ADMIN_EMAIL ?? 'admin@localhost', password: adminPassword },
});
const { deps } = running;
const base = running.url;
const log = (line: string) => console.log(`[sandbox] ${line}`);

const people = [
  { email: 'lin@demo.local', name: 'Lin Wei 林伟', role: 'agent' as const, locale: 'zh-CN' },
  { email: 'sam@demo.local', name: 'Sam Taylor', role: 'agent' as const, locale: 'en' },
  { email: 'zhang@demo.local', name: 'Zhang Min 张敏', role: 'lead' as const, locale: 'zh-CN' },
];
const userIds: string[] = [];
for (const u of people) {
  const existing = await deps.store.get<{ id: string }>('SELECT id FROM users WHERE email = ?', [u.email]);
  userIds.push(existing?.id ?? (await createUser(deps, { ...u, password: 'demo-password' })).id);
}
const adminRow = (await deps.store.get<{ id: string }>("SELECT id FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1"))!;
const adminToken = running.admin?.token ?? await createApiToken(deps, adminRow.id, 'sandbox');

async function api(method: string, path: string, body?: unknown, token = adminToken) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json() as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function createInbox(name: string, channel: string, config: Record<string, unknown>) {
  const inbox = await api('POST', '/api/v1/inboxes', { name, channel, config, settings: { autoAssign: { enabled: true, maxOpenPerAgent: 10 } } });
  await api('POST', `/api/v1/inboxes/${inbox.id}/members`, { userIds });
  return inbox as { id: string; webchatToken?: string };
}
// FAQ articles and the AI assistant, wired to a fake OpenAI-compatible provider on loopback.
for (const a of sandboxFaq) await api('POST', '/api/v1/faq-articles', a);
const fakeLlm = await startFakeLlm();
await api('PATCH', '/api/v1/assistant/settings', { enabled: true, baseUrl: fakeLlm.baseUrl, model: 'sandbox-chat', apiKey: 'sk-sandbox', afterHours: true });
log(`AI assistant -> fake OpenAI-compatible provider at ${fakeLlm.baseUrl}`);

// Agents start online so auto-assignment has someone to pick.
for (const id of userIds) await deps.store.run("UPDATE users SET availability = 'online' WHERE id = ?", [id]);

interface Lane { label: string; inboxId: string; write(c: SimulatedCustomer, text: string): Promise<void>; outbound(): { customerKey: string; text: string }[]; keyOf(c: SimulatedCustomer): string; close(): Promise<void> }
const lanes: Lane[] = [];

// Every channel the server lists with a sandbox (GET /api/v1/channels): its adapter starts the
// platform's fake, the inbox points at it, and its simulated customers write in.
const channels = (await api('GET', '/api/v1/channels')).data as { kind: string; sandbox: boolean }[];
for (const { kind } of channels.filter((c) => c.sandbox)) {
  let adapter: SandboxAdapter;
  let run: SandboxRun;
  try {
    adapter = await loadSandbox(kind);
    run = await adapter.start();
  } catch (err) {
    log(`${kind}: fake did not start (${(err as Error).message}); skipped`);
    continue;
  }
  const created = await createInbox(adapter.name, kind, run.config);
  const inbox = { id: created.id, webhookUrl: `${base}/webhooks/${created.id}`, baseUrl: base, webchatToken: created.webchatToken };
  lanes.push({ label: kind, inboxId: inbox.id, write: (c, t) => run.write(inbox, c, t), outbound: run.outbound, keyOf: run.keyOf, close: run.close });
  log(`${kind} inbox "${adapter.name}" -> ${created.webchatToken ? `widget snippet <script src="${base}/widget.js" data-token="${created.webchatToken}" async></script>` : 'fake platform on loopback'}`);
}

// Customers: each lane gets its own customers; they write their story, then answer replies.
const cast = new Map<Lane, SimulatedCustomer[]>();
lanes.forEach((lane, i) => cast.set(lane, [customers[i % customers.length], customers[(i + 2) % customers.length]]));
const progress = new Map<string, number>();
const say = async (lane: Lane, c: SimulatedCustomer, text: string) => {
  try { await lane.write(c, text); log(`${lane.label}: ${c.name}: ${text}`); } catch (err) { log(`${lane.label}: write failed: ${(err as Error).message}`); }
};

async function nextLine(lane: Lane, c: SimulatedCustomer) {
  const key = `${lane.label}/${c.id}`;
  const i = progress.get(key) ?? 0;
  if (i >= c.lines.length) return false;
  progress.set(key, i + 1);
  await say(lane, c, c.lines[i]);
  return true;
}

for (const lane of lanes) await nextLine(lane, cast.get(lane)![0]);
let tick = 0;
const storyTimer = setInterval(async () => {
  tick++;
  for (const lane of lanes) {
    const [first, second] = cast.get(lane)!;
    if (!(await nextLine(lane, first)) && tick >= 3) await nextLine(lane, second);
  }
}, 20_000);
// When an agent's reply reaches a fake platform, that customer answers a little later.
const answeredPerCustomer = new Map<string, number>();
const replyTimer = setInterval(() => {
  for (const lane of lanes) {
    const perCustomer = new Map<string, number>();
    for (const o of lane.outbound()) perCustomer.set(o.customerKey, (perCustomer.get(o.customerKey) ?? 0) + 1);
    for (const [key, n] of perCustomer) {
      const done = answeredPerCustomer.get(`${lane.label}/${key}`) ?? 0;
      if (n <= done) continue;
      answeredPerCustomer.set(`${lane.label}/${key}`, n);
      const who = cast.get(lane)!.find((c) => lane.keyOf(c) === key);
      if (who) setTimeout(() => void say(lane, who, followUps[(n + who.id.length) % followUps.length]), 4_000);
    }
  }
}, 2_000);

console.log(`
Parley sandbox running on ${base}
  admin:  ${process.env.PARLEY_ADMIN_EMAIL ?? 'admin@localhost'} / ${adminPassword}   (API token: ${adminToken})
  agents: lin@demo.local, sam@demo.local (agents), zhang@demo.local (lead) — password demo-password
  inboxes: ${lanes.map((l) => l.label).join(', ')}
Customers write in every 20 s; reply in the web app and watch them answer. The composer's
  AI assistant buttons (suggest reply, summarize, translate, fix tone) use a fake model. Ctrl-C stops.
`);

const stop = async () => {
  clearInterval(storyTimer);
  clearInterval(replyTimer);
  for (const lane of lanes) await lane.close().catch(() => {});
  await fakeLlm.close();
  await running.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
