import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/runtime/logger.js';
import { apiClient, startTestParley, type TestParley } from './helpers/parley.js';

const lines: string[] = [];
const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
let p: TestParley;

beforeAll(async () => {
  p = await startTestParley({ log: createLogger({ level: 'debug', stream: sink }) });
});
afterAll(() => p.stop());

describe('structured logs', () => {
  it('are JSON lines and never contain tokens, passwords or channel secrets', async () => {
    const user = await p.createUser('agent', 'Logger');
    const inbox = await p.api.post('/api/v1/inboxes', { name: 'Log', channel: 'webchat', config: { identitySecret: 'super-secret-identity-key' } });
    const s = await apiClient(p.url).post(`/public/webchat/${inbox.body.webchatToken}/sessions`, {});
    await fetch(`${p.url}/public/webchat/${inbox.body.webchatToken}/messages?visitorToken=${s.body.visitorToken}`);
    await apiClient(p.url, user.token).get('/api/v1/conversations');
    await apiClient(p.url, 'prl_wrong-token-value').get('/api/v1/conversations');
    p.deps.log.info({ config: { pageAccessToken: 'EAAB-page-token' }, token: user.token }, 'a careless log call');
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    for (const secret of [user.token, p.adminToken, s.body.visitorToken, 'super-secret-identity-key', 'EAAB-page-token', 'password123', 'prl_wrong-token-value']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"path":"/api/v1/conversations"');
  });
});
