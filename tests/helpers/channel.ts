// Shared by the connector tests: an inbox for a channel on a test Parley, its webhook URL, and
// the reads every such test makes.
import { expect } from 'vitest';
import type { TestParley } from './parley.js';

export async function channelInbox(p: TestParley, channel: string, name: string, config: unknown) {
  const r = await p.api.post('/api/v1/inboxes', { name, channel, config });
  expect(r.status).toBe(201);
  const inboxId = r.body.id as string;
  return {
    inboxId,
    hook: `${p.url}/webhooks/${inboxId}`,
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
