// The small ways one fault used to spread: a broken stored inbox config stopped every inbox's
// polling; a slow profile API held the webhook's answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../connectors/api/index.js';
import { parleySignature } from '../../connectors/api/index.js';
import { createRegistry } from '../../connectors/registry.js';
import type { InboundEvent } from '../../connectors/types.js';
import { webchat } from '../../connectors/webchat/index.js';
import { ingest } from '../../src/domain/ingest/ingest.js';
import { MAX_ATTACHMENTS, MAX_STORED_TEXT } from '../../src/domain/ingest/ingest-limits.js';
import { startPollLoops } from '../../src/domain/ingest/poll-loop.js';
import { pollDueInboxes } from '../../src/domain/ingest/polling.js';
import { PROFILE_BUDGET_MS } from '../../src/domain/ingest/profiles.js';
import { API_SECRET } from '../helpers/api-inbox.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';

const polled: string[] = [];
const polling = {
  ...webchat,
  pollSeconds: () => 60,
  async poll(c: unknown, cursor: string | null) {
    polled.push(JSON.stringify(c));
    const events: InboundEvent[] = cursor ? [] : [{ kind: 'message', externalId: 'p1', threadKey: 't', text: 'polled', attachments: [], sentAt: 0, sender: { externalId: 'c' } }];
    return { events, cursor: '1' };
  },
};
const slowProfiles = {
  ...api,
  async fetchProfile(_c: unknown, externalId: string) {
    await new Promise((r) => setTimeout(r, 3_000));
    return { name: `Profile of ${externalId}` };
  },
};

let p: TestParley;
beforeAll(async () => { p = await startTestParley({ connectors: createRegistry({ webchat: polling, api: slowProfiles }) }); });
afterAll(() => p.stop());

describe('polling', () => {
  it('one inbox with an unreadable stored config is marked and skipped; the others still poll', async () => {
    const bad = (await p.api.post('/api/v1/inboxes', { name: 'Broken', channel: 'webchat', config: {} })).body.id;
    const good = (await p.api.post('/api/v1/inboxes', { name: 'Fine', channel: 'webchat', config: {} })).body.id;
    await p.store.run("UPDATE inboxes SET config = '{not json' WHERE id = ?", [bad]);
    expect(await pollDueInboxes(p.deps)).toBe(1);
    const count = await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [good]);
    expect(count!.n).toBe(1);
    const broken = (await p.api.get(`/api/v1/inboxes/${bad}`)).body;
    expect(broken.health).toBe('needs_attention');
    expect(broken.healthError).toMatch(/stored settings of this inbox cannot be read/);
  });

  it('the poll loops too: an unreadable stored config gets no loop and is marked; the others get theirs', async () => {
    const bad = (await p.api.post('/api/v1/inboxes', { name: 'Broken 2', channel: 'webchat', config: {} })).body.id;
    const good = (await p.api.post('/api/v1/inboxes', { name: 'Fine 2', channel: 'webchat', config: {} })).body.id;
    await p.store.run("UPDATE inboxes SET config = '{not json' WHERE id = ?", [bad]);
    const loops = startPollLoops(p.deps, { scanEveryMs: 60_000 });
    try {
      const stored = async () => (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE inbox_id = ?', [good]))!.n;
      for (let i = 0; i < 50 && (await stored()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await stored()).toBe(1);
      expect(loops.running()).toContain(good);
      expect(loops.running()).not.toContain(bad);
      const broken = (await p.api.get(`/api/v1/inboxes/${bad}`)).body;
      expect(broken.health).toBe('needs_attention');
      expect(broken.healthError).toMatch(/stored settings of this inbox cannot be read/);
    } finally {
      await loops.stop();
    }
  });
});

describe('profile lookups', () => {
  it('a slow profile API does not hold the webhook answer; the name lands on the contact afterwards', async () => {
    const inbox = (await p.api.post('/api/v1/inboxes', { name: 'Slow profiles', channel: 'api', config: { secret: API_SECRET } })).body.id;
    const body = JSON.stringify({ messageId: 'm1', conversationId: 'c1', contact: { id: 'who-1' }, content: 'hello' });
    const ts = String(Math.floor(Date.now() / 1000));
    const t0 = Date.now();
    const res = await fetch(`${p.url}/webhooks/${inbox}`, { method: 'POST', body,
      headers: { 'content-type': 'application/json', 'x-parley-timestamp': ts, 'x-parley-signature': await parleySignature(API_SECRET, ts, body) } });
    const took = Date.now() - t0;
    expect(res.status).toBe(200);
    expect(took).toBeLessThan(PROFILE_BUDGET_MS + 1_500);
    const contactName = async () => (await p.store.get<{ name: string | null }>(
      "SELECT c.name FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id WHERE ci.inbox_id = ? AND ci.external_id = 'who-1'", [inbox]))?.name;
    expect(await contactName()).toBeNull();
    for (let i = 0; i < 50 && !(await contactName()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await contactName()).toBe('Profile of who-1');
  });
});

describe('stored size caps', () => {
  it('text past the bound is cut with a note, attachments past the count are left out with a note, oversized HTML is dropped', async () => {
    const inbox = { id: (await p.api.post('/api/v1/inboxes', { name: 'Caps', channel: 'webchat', config: {} })).body.id as string, channel: 'webchat' };
    const attachments = Array.from({ length: MAX_ATTACHMENTS + 10 }, (_, i) => ({ filename: `f${i}.txt`, contentType: 'text/plain', size: 1, data: new Uint8Array([65]) }));
    await ingest(p.deps, inbox, [{ kind: 'message', externalId: 'huge', threadKey: 'caps', sender: { externalId: 'big' }, sentAt: 0,
      text: 'a'.repeat(MAX_STORED_TEXT + 5_000), html: `<p>${'b'.repeat(1_200_000)}</p>`, attachments }]);
    const m = await p.store.get<{ id: string; content: string; html: string | null }>("SELECT id, content, html FROM messages WHERE external_id = 'huge'");
    expect(m!.content.startsWith('a'.repeat(MAX_STORED_TEXT))).toBe(true);
    expect(m!.content).toContain('[Message shortened: 5000 more characters were not stored]');
    expect(m!.content).toContain('[10 more attachments were not stored]');
    expect(m!.html).toBeNull();
    const n = await p.store.get<{ n: number }>('SELECT count(*) AS n FROM attachments WHERE message_id = ?', [m!.id]);
    expect(n!.n).toBe(MAX_ATTACHMENTS);
  });
});
