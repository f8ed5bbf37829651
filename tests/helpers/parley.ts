// Starts a real Parley (HTTP on an ephemeral port, its own SQLite file) for a test file.
import { sseEvents, type SseEvent } from './sse.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startParley, type Running, type StartOptions } from '../../src/runtime/server.js';

/** A running Parley (Node or Worker) as a test reaches it: over HTTP, as the admin or as a user it made. */
export interface AdminSession {
  url: string;
  adminToken: string;
  api: Api;
  as(token: string): Api;
  createUser(role: 'admin' | 'lead' | 'agent', name?: string): Promise<{ id: string; token: string; email: string }>;
}

export interface TestParley extends Running, AdminSession {
  dir: string;
  stop(): Promise<void>;
}

export interface ApiResponse<T = any> { status: number; body: T; headers: Headers }
export type Api = {
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  raw(path: string, init: RequestInit): Promise<Response>;
};

export function apiClient(base: string, token?: string): Api {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not json */ }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b, h) => call('POST', p, b, h),
    put: (p, b, h) => call('PUT', p, b, h),
    patch: (p, b, h) => call('PATCH', p, b, h),
    delete: (p, h) => call('DELETE', p, undefined, h),
    raw: (p, init) => fetch(base + p, init),
  };
}

let counter = 0;
export function adminSession(url: string, adminToken: string): AdminSession {
  const api = apiClient(url, adminToken);
  return {
    url, adminToken, api,
    as: (token) => apiClient(url, token),
    async createUser(role, name) {
      const n = ++counter;
      const label = name ?? `${role} ${n}`;
      const email = `${label.replace(/\W+/g, '.').toLowerCase()}.${n}@test.local`;
      const r = await api.post('/api/v1/users', { email, name: label, role, password: 'password123' });
      if (r.status !== 201) throw new Error(`createUser: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id as string, token: r.body.token as string, email };
    },
  };
}

export async function startTestParley(opts: StartOptions = {}): Promise<TestParley> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const running = await startParley({
    port: 0, dbFile: join(dir, 'parley.db'), scheduler: false, secret: 'test-secret-test-secret',
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    bootstrapAdmin: { email: 'admin@test.local', password: 'admin-password' },
    ...opts,
  });
  return {
    ...running, ...adminSession(running.url, running.admin?.token ?? ''), dir,
    async stop() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads SSE events from a streaming response until `until` returns true or time runs out. */
export async function collectSse(res: Response, until: (events: SseEvent[]) => boolean, timeoutMs = 5000) {
  const events: SseEvent[] = [];
  const reader = sseEvents(res.body!).getReader();
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline && !until(events)) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
      if (!next || next.done) break;
      events.push(next.value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

/** An inbox to ingest into directly: web chat, the one channel every build has. */
export async function directInbox(p: TestParley, name: string): Promise<{ id: string; channel: string }> {
  const r = await p.api.post('/api/v1/inboxes', { name, channel: 'webchat', config: {} });
  if (r.status !== 201) throw new Error(`directInbox: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.id, channel: 'webchat' };
}

/**
 * A web chat visitor as the widget behaves: visitor tokens expire (24 h), so a call answered
 * `401 token_expired` trades the token for a fresh one (POST /sessions/refresh) and is retried
 * once. Tests that move a manual clock across days keep their visitor this way.
 */
export function visitorApi(base: string, webchatToken: string, visitorToken: string): Api {
  let token = visitorToken;
  const withRefresh = async (call: (api: Api) => Promise<ApiResponse>) => {
    const first = await call(apiClient(base, token));
    if (first.status !== 401 || first.body?.error?.code !== 'token_expired') return first;
    const r = await apiClient(base, token).post(`/public/webchat/${webchatToken}/sessions/refresh`, {});
    if (r.status !== 200) return first;
    token = r.body.visitorToken;
    return call(apiClient(base, token));
  };
  return {
    get: (path) => withRefresh((api) => api.get(path)),
    post: (path, body, headers) => withRefresh((api) => api.post(path, body, headers)),
    put: (path, body, headers) => withRefresh((api) => api.put(path, body, headers)),
    patch: (path, body, headers) => withRefresh((api) => api.patch(path, body, headers)),
    delete: (path, headers) => withRefresh((api) => api.delete(path, headers)),
    raw: (path, init) => apiClient(base, token).raw(path, init),
  };
}
