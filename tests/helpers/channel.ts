// Shared by the connector tests: an inbox for a channel on a test Parley, its webhook URL, and
// the reads every such test makes.
import { expect } from 'vitest';
import type { StartOptions } from '../../src/runtime/server.js';
import { fixture } from './fixture.js';
import { startTestParley, type Api, type TestParley } from './parley.js';

/** An inbox created through the API of a running Parley (Node or Worker), and its webhook URL. */
export async function webhookInbox(parley: { api: Api; url: string }, channel: string, name: string, config: unknown) {
  const r = await parley.api.post('/api/v1/inboxes', { name, channel, config });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const inboxId = r.body.id as string;
  return { inboxId, hook: `${parley.url}/webhooks/${inboxId}` };
}

export async function channelInbox(p: TestParley, channel: string, name: string, config: unknown) {
  const { inboxId, hook } = await webhookInbox(p, channel, name, config);
  return {
    inboxId,
    hook,
    /** The conversation (API JSON) of a platform thread, or null. */
    async conversationOf(threadKey: string) {
      const row = await p.store.get<{ id: string }>('SELECT id FROM conversations WHERE inbox_id = ? AND thread_key = ?', [inboxId, threadKey]);
      return row ? (await p.api.get(`/api/v1/conversations/${row.id}`)).body : null;
    },
    messagesOf: async (conversationId: string) => (await p.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data as any[],
    countByExternalId: async (externalId: string) =>
      (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages WHERE external_id = ?', [externalId]))!.n,
  };
}
export type ChannelInbox = Awaited<ReturnType<typeof channelInbox>>;

/**
 * What a channel suite starts with: the platform's fake, a test Parley (`parley`: its options, a
 * manual clock for one) and an inbox of `channel` configured for that fake; fixtures, so made in
 * beforeAll and stopped in afterAll.
 */
export function channelFixtures<F extends object>(startFake: () => Promise<F>, channel: string, name: string, config: (fake: F) => unknown, parley: StartOptions = {}) {
  const fake = fixture(startFake);
  const p = fixture(() => startTestParley(parley));
  const ch = fixture(() => channelInbox(p, channel, name, config(fake)));
  return { fake, p, ch };
}

/** An agent's reply in the thread's conversation, refused before it is queued: 422 with `code`; returns the error for its message. */
export async function expectReplyRefused(p: TestParley, ch: ChannelInbox, threadKey: string, content: string, code: string): Promise<{ code: string; message: string }> {
  const conv = await ch.conversationOf(threadKey);
  const r = await p.api.post(`/api/v1/conversations/${conv.id}/messages`, { content });
  expect(r.status).toBe(422);
  expect(r.body.error.code).toBe(code);
  return r.body.error;
}

/** Platforms deliver a webhook again until they see a 200: `push` three times, each answered 200, stores the message `externalId` once. */
export async function expectStoredOnce(ch: ChannelInbox, push: () => Promise<{ status: number }>, externalId: string) {
  for (let i = 0; i < 3; i++) expect((await push()).status).toBe(200);
  expect(await ch.countByExternalId(externalId)).toBe(1);
}

/** The newest message (API JSON) of a platform thread that must exist: what media tests read. */
export async function lastMessageOf(ch: ChannelInbox, threadKey: string) {
  const conv = await ch.conversationOf(threadKey);
  return (await ch.messagesOf(conv.id)).at(-1);
}
