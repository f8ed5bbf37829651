// Mailing-list and bulk mail against real servers (dovecot in, smtp-server out): it opens a
// conversation marked `bulk` (message flag, meta.bulk, conversation label) and nothing answers
// it automatically (after-hours bot, follow-up, CSAT), while a person's mail in the same inbox
// gets all three. An agent can still answer the list mail by hand.
import { describe, expect, it } from 'vitest';
import { reactionsSettled } from '../src/domain/reactions.js';
import { manualClock } from '../src/domain/core/clock.js';
import { pollInbox } from '../src/domain/ingest/polling.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { runFollowUps } from '../src/domain/workflow/follow-up.js';
import { emailInboxConfig, startTestDovecot } from './helpers/dovecot.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { startTestParley } from './helpers/parley.js';
import { startSmtpSink } from './helpers/smtp-sink.js';

const ADDRESS = 'support@parley.test';
const H = 3_600_000;
// A Sunday: the bot is "away" outside Mon-Fri business hours.
const T0 = Date.parse('2026-10-18T10:00:00+08:00');
const WEEKDAYS = { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] };
const clock = manualClock(T0);

const dv = fixture(startTestDovecot);
const sink = fixture(() => startSmtpSink());
const p = fixture(() => startTestParley({ clock }));

const mail = (from: string, id: string, subject: string, body: string, headers: string[] = []) => [
  `From: ${from}`, `To: ${ADDRESS}`, `Subject: ${subject}`, `Date: ${new Date(T0 - 60_000).toUTCString()}`, `Message-ID: <${id}>`,
  ...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
].join('\r\n');

async function settle() {
  await reactionsSettled(p.deps);
  await deliverDueOutbox(p.deps);
}

describe('mailing-list and bulk mail', () => {
  it('opens a marked conversation that no bot, follow-up or CSAT ever writes to; a person\'s mail beside it gets all three', async () => {
    await dv.withClient((c) => c.mailboxCreate('Lists'));
    const inboxId = (await createInbox(p.api, 'email', emailInboxConfig(dv, { address: ADDRESS, mailbox: 'Lists', smtpPort: sink.port }), { name: 'Support', settings: {
      businessHours: { timezone: 'Asia/Shanghai', weekly: WEEKDAYS }, bot: { enabled: true, awayMessage: 'We are closed on weekends.' },
      csat: { enabled: true }, followUp: { afterHours: 1 },
    } })).id;

    await dv.append(mail('Li Na <li.na@example.com>', 'person-1@example.com', 'My card is refused', 'My bank card is refused at checkout.'), 'Lists');
    await dv.append(mail('Deals <news@shop.example>', 'bulk-1@shop.example', 'Black Friday: 70% off', 'Everything must go.',
      ['Precedence: bulk', 'List-Unsubscribe: <mailto:unsub@shop.example>']), 'Lists');
    await dv.append(mail('Dev list <dev@lists.example.org>', 'list-1@lists.example.org', '[dev] Release 2.0', 'Release notes inside.',
      ['List-Id: Developers <dev.lists.example.org>']), 'Lists');
    expect(await pollInbox(p.deps, (await p.deps.store.get('SELECT * FROM inboxes WHERE id = ?', [inboxId]))!)).toBeTruthy();
    await settle();

    const convs = (await p.api.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`)).body.data as any[];
    expect(convs).toHaveLength(3);
    const bySubject = Object.fromEntries(convs.map((c) => [c.subject, c]));
    const person = bySubject['My card is refused'];
    const news = bySubject['Black Friday: 70% off'];
    const list = bySubject['[dev] Release 2.0'];
    expect(person.labels).toEqual([]);
    expect(news.labels).toEqual(['bulk']);
    expect(list.labels).toEqual(['bulk']);
    expect((await p.api.get(`/api/v1/conversations?inboxId=${inboxId}&label=bulk&limit=100`)).body.data.map((c: any) => c.id).sort()).toEqual([news.id, list.id].sort());

    const thread = async (id: string) => (await p.api.get(`/api/v1/conversations/${id}/messages?limit=100`)).body.data as any[];
    const [newsMsg] = await thread(news.id);
    expect(newsMsg).toMatchObject({ direction: 'in', content: 'Everything must go.', bulk: true, meta: { bulk: { reason: 'Precedence: bulk', unsubscribe: '<mailto:unsub@shop.example>' } } });
    expect(newsMsg.automated).toBeUndefined();
    expect((await thread(list.id))[0]).toMatchObject({ bulk: true, meta: { bulk: { reason: 'List-Id', listId: 'Developers <dev.lists.example.org>' } } });

    // The after-hours bot answered the person only.
    expect((await thread(person.id)).map((m) => [m.direction, m.sender.type])).toEqual([['in', 'contact'], ['out', 'bot']]);
    expect((await thread(news.id)).map((m) => m.direction)).toEqual(['in']);
    expect((await thread(list.id)).map((m) => m.direction)).toEqual(['in']);

    // An agent answers the newsletter by hand (it goes out), and the person too.
    expect((await p.api.post(`/api/v1/conversations/${news.id}/messages`, { content: 'Please remove us from this list.' })).status).toBe(201);
    expect((await p.api.post(`/api/v1/conversations/${person.id}/messages`, { content: 'Which card do you use?' })).status).toBe(201);
    await settle();

    // Both are now waiting on the customer: only the person is followed up.
    clock.set(T0 + 2 * H);
    expect(await runFollowUps(p.deps)).toMatchObject({ followedUp: 1 });
    await settle();
    expect((await thread(person.id)).at(-1)).toMatchObject({ sender: { type: 'bot' }, direction: 'out' });
    expect((await thread(news.id)).map((m) => [m.direction, m.sender.type])).toEqual([['in', 'contact'], ['out', 'user']]);

    // Resolving asks the person for a rating, never the list.
    for (const c of [person, news, list]) expect((await p.api.post(`/api/v1/conversations/${c.id}/status`, { status: 'resolved' })).status).toBe(200);
    await settle();
    const csat = await p.deps.store.all<{ conversation_id: string }>('SELECT conversation_id FROM csat_requests');
    expect(csat.map((r) => r.conversation_id)).toEqual([person.id]);

    // Over SMTP: the list's addresses received only what the agent wrote by hand.
    const toLists = sink.received.filter((r) => r.to.some((a) => a === 'news@shop.example' || a === 'dev@lists.example.org'));
    expect(toLists.map((r) => [r.to, r.mail.text?.trim()])).toEqual([[['news@shop.example'], 'Please remove us from this list.']]);
    expect(sink.received.filter((r) => r.to.includes('li.na@example.com')).length).toBe(4); // bot, agent, follow-up, CSAT
  });
});
