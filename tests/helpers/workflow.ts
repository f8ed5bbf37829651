// Helpers for the workflow-assign tests (teams, assignment, snooze, mentions, canned).
import { expect } from 'vitest';
import { apiClient, type ApiResponse, type TestParley, visitorApi } from './parley.js';
import { reactionsSettled } from '../../src/domain/reactions.js';

/** PATCH / DELETE with a token. */
export function send(p: { url: string }, token: string, method: 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse> {
  const api = apiClient(p.url, token);
  return method === 'PATCH' ? api.patch(path, body) : api.delete(path);
}

export async function createWebchatInbox(p: TestParley, token: string, name: string, settings?: Record<string, unknown>) {
  const r = await apiClient(p.url, token).post('/api/v1/inboxes', { name, channel: 'webchat', config: {}, ...(settings ? { settings } : {}) });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, webchatToken: r.body.webchatToken as string };
}

/** A visitor opens a conversation by writing; resolves once auto-assignment has reacted. */
export async function customerWrites(p: { url: string; deps: TestParley['deps'] }, webchatToken: string, content: string, who: { name?: string; email?: string } = {}) {
  const pub = apiClient(p.url);
  const s = await pub.post(`/public/webchat/${webchatToken}/sessions`, who);
  expect(s.status).toBe(201);
  const visitor = visitorApi(p.url, webchatToken, s.body.visitorToken);
  const m = await visitor.post(`/public/webchat/${webchatToken}/messages`, { content });
  expect(m.status).toBe(201);
  await reactionsSettled(p.deps);
  const conv = await p.deps.store.get<{ id: string }>('SELECT conversation_id AS id FROM messages WHERE id = ?', [m.body.id]);
  return {
    conversationId: conv!.id, visitor,
    async writeAgain(text: string) {
      const r = await visitor.post(`/public/webchat/${webchatToken}/messages`, { content: text });
      expect(r.status).toBe(201);
      await reactionsSettled(p.deps);
    },
  };
}

export const settled = (p: { deps: TestParley['deps'] }) => reactionsSettled(p.deps);

/** A user with any display name (the shared helper derives the email from the name). */
export async function namedUser(p: TestParley, role: 'admin' | 'lead' | 'agent', name: string, email: string) {
  const r = await p.api.post('/api/v1/users', { email, name, role, password: 'password123' });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, token: r.body.token as string, email };
}
