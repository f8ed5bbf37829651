// One list of channels: GET /api/v1/channels is the registry, and a channel added only there (a
// test-only connector) is listed, documented in the OpenAPI text, and opens inboxes validated by
// its own config schema, with nothing else in Parley naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_KINDS, createRegistry } from '../connectors/registry.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';
import { pigeon } from './helpers/pigeon-channel.js';

let p: TestParley;
beforeAll(async () => { p = await startTestParley({ connectors: createRegistry({ pigeon }) }); });
afterAll(async () => { await p?.stop(); });

describe('GET /api/v1/channels', () => {
  it('lists every registered connector with what clients need to show and configure it', async () => {
    const r = await p.api.get('/api/v1/channels');
    expect(r.status).toBe(200);
    const kinds = r.body.data.map((c: { kind: string }) => c.kind);
    expect(kinds).toEqual([...CHANNEL_KINDS, 'pigeon']);
    const messenger = r.body.data.find((c: { kind: string }) => c.kind === 'messenger');
    expect(messenger).toMatchObject({ label: 'Facebook Messenger', badge: 'FB', color: '#0866ff', sandbox: true, receives: { webhook: true, polling: false, publicWidget: false } });
    expect(messenger.secretFields).toContain('appSecret');
    expect(Object.keys(messenger.configSchema.properties)).toEqual(expect.arrayContaining(['pageId', 'pageAccessToken', 'appSecret', 'verifyToken', 'apiBaseUrl']));
    expect(messenger.limits).toMatchObject({ replyWindowHours: 24, attachments: true });
    expect(r.body.data.find((c: { kind: string }) => c.kind === 'webchat').receives.publicWidget).toBe(true);
    expect(r.body.data.find((c: { kind: string }) => c.kind === 'email').receives.polling).toBe(true);
    for (const c of r.body.data) expect(c.color).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('shows the throwaway channel as declared by its connector', async () => {
    const r = await p.api.get('/api/v1/channels');
    expect(r.body.data.find((c: { kind: string }) => c.kind === 'pigeon')).toMatchObject({
      label: 'Carrier pigeon', badge: 'PGN', color: '#a16207', configTemplate: { loftId: '', sharedKey: '' },
      secretFields: ['sharedKey'], sandbox: false, receives: { webhook: true, polling: false, publicWidget: false },
      limits: { attachments: false, maxTextLength: 140 },
      configSchema: { properties: { loftId: { type: 'string' }, sharedKey: { type: 'string', minLength: 12 } } },
    });
  });

  it('needs a signed-in caller', async () => {
    expect((await apiClient(p.url).get('/api/v1/channels')).status).toBe(401);
  });

  it('is in the OpenAPI text, and the inbox schema names the registered kinds', async () => {
    const spec = (await p.api.get('/api/v1/openapi.json')).body;
    expect(spec.paths['/channels'].get).toBeTruthy();
    expect(spec.components.schemas.CreateInbox.properties.channel.description).toContain('pigeon');
    expect(spec.components.schemas.CreateInbox.properties.channel.description).toContain('messenger');
  });
});

describe('inboxes on a channel only the registry names', () => {
  it("refuses a config its connector's schema refuses, naming the field", async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'Loft', channel: 'pigeon', config: { loftId: 'north', sharedKey: 'short' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_config' });
    expect(r.body.error.message).toContain('config.sharedKey');
  });

  it('refuses a kind no connector has, listing the registered ones', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'Owl', channel: 'owl', config: {} });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('unknown_channel');
    expect(r.body.error.message).toContain('pigeon');
  });

  it('opens the inbox, keeps its secret, and takes its webhooks into a conversation', async () => {
    const r = await p.api.post('/api/v1/inboxes', { name: 'Loft', channel: 'pigeon', config: { loftId: 'north', sharedKey: 'coo-coo-coo-coo' } });
    expect(r.status).toBe(201);
    expect(r.body.channel).toBe('pigeon');
    expect(r.body.webchatToken ?? null).toBeNull();
    const shown = await p.api.get(`/api/v1/inboxes/${r.body.id}`);
    expect(JSON.stringify(shown.body)).not.toContain('coo-coo-coo-coo');
    const hook = (key: string) => apiClient(p.url).post(`/webhooks/${r.body.id}`, { id: 'p-1', from: 'ada', text: 'a note on a leg' }, { 'x-pigeon-key': key });
    expect((await hook('wrong-key-wrong')).status).toBe(401);
    expect((await hook('coo-coo-coo-coo')).status).toBe(200);
    const convs = await p.api.get(`/api/v1/conversations?inboxId=${r.body.id}`);
    expect(convs.body.data).toHaveLength(1);
    expect(convs.body.data[0]).toMatchObject({ channel: 'pigeon', lastMessage: { content: 'a note on a leg', direction: 'in' } });
  });
});
