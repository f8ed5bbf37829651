// Fuzz (fast-check, seeded; the seed is printed, and RELIABILITY_SEED repeats a run): every
// connector's webhook route with mutated and random bodies, the MIME parser with mutated and
// random mail, every list endpoint's query string and every JSON body of the API. Never a
// 5xx, never an uncaught exception, and a refused request writes nothing.
// Short by default; RELIABILITY_LONG=1 runs 20x more cases.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MIME_DEPTH } from '../../connectors/email/mime-depth.js';
import { parseEmail, unreadableEvent } from '../../connectors/email/parse.js';
import { createRegistry } from '../../connectors/registry.js';
import type { ChannelKind, Connector } from '../../connectors/types.js';
import { startTestParley, type TestParley } from '../helpers/parley.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const RUNS = LONG ? 2_000 : 100;
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
const DEAD = 'http://127.0.0.1:9'; // profile lookups and the like fail at once

// Signatures are not what is fuzzed here: every connector's verify says yes, so the bodies
// reach the parser and the ingest behind it.
const base = createRegistry();
const trusting = createRegistry(Object.fromEntries([...base].map(([k, c]) => [k, { ...c, verify: c.verify ? async () => true : undefined }])) as Partial<Record<ChannelKind, Connector<any>>>);

const CONFIGS: Record<string, object> = {
  api: { secret: 'fuzz-secret-0123456789abcdef' },
  telegram: { botToken: '7000000001:AAFakeTokenForFuzz_0123456789abcdef', mode: 'webhook', secretToken: 'fuzz-secret-token', apiBaseUrl: DEAD },
  messenger: { pageId: 'PAGE', pageAccessToken: 'tok', appSecret: 'sec', verifyToken: 'vt', apiBaseUrl: DEAD },
  instagram: { accountId: 'ACC', accessToken: 'tok', appSecret: 'sec', verifyToken: 'vt', apiBaseUrl: DEAD },
  whatsapp: { phoneNumberId: 'PN', accessToken: 'tok', appSecret: 'sec', verifyToken: 'vt', apiBaseUrl: DEAD },
  sms: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'fuzz-auth-token-0123456789', fromNumber: '+15550001111', apiBaseUrl: DEAD },
  twitter: { userId: '1111', appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'as', apiBaseUrl: DEAD },
};
// One valid body per platform, shaped from its docs; the fuzzer mutates it.
const TEMPLATES: Record<string, unknown> = {
  api: { messageId: 'm1', conversationId: 'c1', contact: { id: 'x', name: 'X' }, content: 'hi' },
  telegram: { update_id: 1, message: { message_id: 1, from: { id: 5, is_bot: false, first_name: 'A' }, chat: { id: 5, type: 'private' }, date: 1700000000, text: 'hi' } },
  messenger: { object: 'page', entry: [{ id: 'PAGE', time: 1, messaging: [{ sender: { id: 'U' }, recipient: { id: 'PAGE' }, timestamp: 1, message: { mid: 'm1', text: 'hi' } }] }] },
  instagram: { object: 'instagram', entry: [{ id: 'ACC', time: 1, messaging: [{ sender: { id: 'U' }, recipient: { id: 'ACC' }, timestamp: 1, message: { mid: 'm1', text: 'hi' } }] }] },
  whatsapp: { object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: 'PN' },
    contacts: [{ profile: { name: 'A' }, wa_id: '1' }], messages: [{ from: '1', id: 'wamid.1', timestamp: '1700000000', type: 'text', text: { body: 'hi' } }] } }] }] },
  twitter: { for_user_id: '1111', direct_message_events: [{ type: 'message_create', id: '1', created_timestamp: '1700000000000',
    message_create: { target: { recipient_id: '1111' }, sender_id: '2222', message_data: { text: 'hi' } } }], users: { 2222: { id: '2222', name: 'C', screen_name: 'c' } } },
  sms: { MessageSid: 'SM1', AccountSid: 'AC0123456789abcdef0123456789abcdef', From: '+15550002222', To: '+15550001111', Body: 'hi' },
};

const weird = fc.oneof(
  fc.string(), fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constant(''), fc.constant('x'.repeat(70_000)), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant('1e309'), fc.constant('__proto__'),
);

function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (v && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, Array.isArray(v) ? Number(k) : k]))];
  return [at];
}
function setAt(v: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), value);
  return copy;
}
const mutated = (template: unknown) => {
  const all = paths(template);
  return fc.array(fc.tuple(fc.integer({ min: 0, max: all.length - 1 }), weird, fc.boolean()), { minLength: 1, maxLength: 4 })
    .map((edits) => edits.reduce((t, [i, value, drop]) => (drop && all[i].length ? setAt(t, all[i], undefined) : setAt(t, all[i], value)), template));
};

let p: TestParley;
const inboxes: Record<string, string> = {};
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
const counted = ['messages', 'conversations', 'contacts', 'contact_identities', 'outbox', 'inboxes', 'users', 'teams', 'attachments'];
const counts = async () => Promise.all(counted.map(async (t) => (await p.store.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))!.n));

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (RELIABILITY_SEED to repeat)`);
  process.on('unhandledRejection', onUncaught);
  process.on('uncaughtException', onUncaught);
  p = await startTestParley({ connectors: trusting });
  for (const [kind, config] of Object.entries(CONFIGS)) {
    const r = await p.api.post('/api/v1/inboxes', { name: `fuzz ${kind}`, channel: kind, config });
    if (r.status !== 201) throw new Error(`${kind}: ${JSON.stringify(r.body)}`);
    inboxes[kind] = r.body.id;
  }
});
afterAll(async () => {
  process.off('unhandledRejection', onUncaught);
  process.off('uncaughtException', onUncaught);
  await p?.stop();
});

async function expectSane(res: Response, before: number[], what: string) {
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    expect(JSON.parse(text).error.code, what).toMatch(/^[a-z_]+$/);
    expect(await counts(), `${what}: a refused request wrote something`).toEqual(before);
  }
}

describe('webhooks', () => {
  for (const kind of Object.keys(TEMPLATES)) {
    it(`${kind}: mutated, random and broken bodies never get a 5xx or a partial write`, async () => {
      const form = kind === 'sms';
      const encode = (b: unknown) => form && b && typeof b === 'object'
        ? new URLSearchParams(Object.entries(b as object).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString()
        : JSON.stringify(b) ?? 'null';
      const body = fc.oneof(
        { weight: 6, arbitrary: mutated(TEMPLATES[kind]).map(encode) },
        { weight: 2, arbitrary: fc.json() },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
        { weight: 1, arbitrary: fc.constant(encode(TEMPLATES[kind])) },
      );
      await fc.assert(fc.asyncProperty(body, async (raw) => {
        const before = await counts();
        const res = await fetch(`${p.url}/webhooks/${inboxes[kind]}`, { method: 'POST', body: raw,
          headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', 'x-telegram-bot-api-secret-token': 'fuzz-secret-token' } });
        await expectSane(res, before, `${kind} webhook ${raw.slice(0, 200)}`);
      }), { seed: SEED, numRuns: RUNS });
      expect(uncaught).toEqual([]);
    }, LONG ? 600_000 : 60_000);
  }
});

describe('MIME', () => {
  const mail = ['From: "A" <a@example.com>', 'To: support@parley.test', 'Subject: =?UTF-8?B?5L2g5aW9?=', 'Message-ID: <m1@example.com>', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: multipart/alternative; boundary="b2"', '', '--b2',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'hello =E4=BD=A0', '--b2',
    'Content-Type: text/html', '', '<p>hello</p>', '--b2--', '--b1', 'Content-Type: application/pdf; name="a.pdf"', 'Content-Transfer-Encoding: base64', '',
    'JVBERi0xLjQK', '--b1--', ''];
  it('mutated and random mail parses or is refused with an Error, never hangs or throws anything else', async () => {
    const line = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('--b1', '--b2--', 'Content-Type: multipart/mixed; boundary="b1"', 'Content-Transfer-Encoding: base64', '=?UTF-8?Q?=FF?=', ''));
    const source = fc.oneof(
      fc.array(fc.tuple(fc.integer({ min: 0, max: mail.length - 1 }), line), { minLength: 1, maxLength: 6 })
        .map((edits) => { const m = [...mail]; for (const [i, l] of edits) m[i] = l; return m.join('\r\n'); }),
      fc.integer({ min: 1, max: 300 }).map((depth) => [...mail.slice(0, 5), ...Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}`), 'text', ''].join('\r\n')),
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    await fc.assert(fc.asyncProperty(source, async (s) => {
      // What the IMAP poll does with each message: parse, or keep a "could not be read" trace.
      const raw = new TextEncoder().encode(s);
      const opts = { address: 'support@parley.test' };
      let events;
      try {
        events = await parseEmail(raw, opts);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        events = [unreadableEvent(raw, err, opts)];
      }
      expect(Array.isArray(events)).toBe(true);
      for (const e of events) if ('externalId' in e) expect(typeof e.externalId).toBe('string');
    }), { seed: SEED, numRuns: RUNS });
  }, LONG ? 600_000 : 60_000);
});

type Op = { method: string; path: string; query: string[]; json: boolean; props: string[] };
async function operations(): Promise<Op[]> {
  const doc = (await p.api.get('/api/v1/openapi.json')).body;
  const ops: Op[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const resolved = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
      // The document's paths are relative to /api/v1 (where it is served).
      ops.push({ method: method.toUpperCase(), path: `/api/v1${path}`, query: (op.parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name),
        json: Boolean(schema), props: Object.keys(resolved?.properties ?? {}) });
    }
  }
  return ops;
}
// Path parameters: a real id of the right kind where one exists, else a random string.
async function fillPath(path: string, random: string): Promise<string> {
  const anyId = async (table: string) => (await p.store.get<{ id: string }>(`SELECT id FROM ${table} LIMIT 1`))?.id ?? random;
  const ids: Record<string, () => Promise<string>> = { conversations: () => anyId('conversations'), contacts: () => anyId('contacts'), inboxes: () => anyId('inboxes'),
    users: () => anyId('users'), teams: () => anyId('teams'), messages: () => anyId('messages') };
  let out = path;
  for (const m of path.matchAll(/\/(\w+)\/\{(\w+)\}/g)) out = out.replace(`{${m[2]}}`, encodeURIComponent(await (ids[m[1]]?.() ?? Promise.resolve(random))));
  return out.replace(/\{\w+\}/g, encodeURIComponent(random));
}

it(`MIME nested past ${MAX_MIME_DEPTH} levels is refused before parsing (stored as could-not-read), shallower nesting parses`, async () => {
  const nested = (depth: number) => {
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}`).join('\r\n');
    const close = Array.from({ length: depth }, (_, i) => `--n${depth - 1 - i}--`).join('\r\n');
    return new TextEncoder().encode(`From: a@example.com\r\nTo: support@parley.test\r\nMessage-ID: <deep@x>\r\nMIME-Version: 1.0\r\n${open}\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n${close}\r\n`);
  };
  await expect(parseEmail(nested(MAX_MIME_DEPTH + 1), { address: 'support@parley.test' })).rejects.toThrow(/nested more than 32 levels/);
  const ok = await parseEmail(nested(5), { address: 'support@parley.test' });
  expect(ok.length).toBe(1);
});

describe('HTTP API', () => {
  it('every list endpoint: random query strings never get a 5xx', async () => {
    const lists = (await operations()).filter((o) => o.method === 'GET' && !o.path.includes('{') && o.path.startsWith('/api/v1/') && !o.path.endsWith('/events'));
    expect(lists.length).toBeGreaterThan(5);
    const value = fc.oneof(fc.string(), fc.constantFrom('0', '-1', '101', '1e9', 'NaN', 'me', 'none', '', '%', '%E0%A4%A', 'x'.repeat(5000)), fc.integer().map(String));
    await fc.assert(fc.asyncProperty(fc.constantFrom(...lists), fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor', 'q', 'status', 'assignee', 'inboxId', 'teamId', 'label'), fc.string({ maxLength: 10 })), value), { maxLength: 5 }),
      async (op, pairs) => {
        const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`).join('&');
        const before = await counts();
        const res = await fetch(`${p.url}${op.path}?${qs}`, { headers: { authorization: `Bearer ${p.adminToken}` } });
        await expectSane(res, before, `GET ${op.path}?${qs.slice(0, 200)}`);
      }), { seed: SEED, numRuns: RUNS * 3 });
  }, LONG ? 600_000 : 90_000);

  it('every JSON body: random and mistyped bodies never get a 5xx or a partial write', async () => {
    const withBody = (await operations()).filter((o) => o.json && o.path.startsWith('/api/v1/') && !o.path.includes('/auth/'));
    expect(withBody.length).toBeGreaterThan(10);
    const bodyFor = (op: Op) => fc.oneof(
      fc.json(),
      op.props.length ? fc.record(Object.fromEntries(op.props.map((k) => [k, weird])), { requiredKeys: [] }).map((b) => JSON.stringify(b)) : fc.json(),
      fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}'),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...withBody).chain((op) => fc.tuple(fc.constant(op), bodyFor(op), fc.string({ minLength: 1, maxLength: 30 }))),
      async ([op, body, random]) => {
        const path = await fillPath(op.path, random);
        const before = await counts();
        const res = await fetch(`${p.url}${path}`, { method: op.method, body, headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' } });
        await expectSane(res, before, `${op.method} ${path} ${body.slice(0, 200)}`);
      }), { seed: SEED, numRuns: RUNS * 3 });
    expect(uncaught).toEqual([]);
  }, LONG ? 900_000 : 120_000);
});
