// An API-channel inbox whose replies go to a callback URL, with one conversation opened by a
// signed inbound message: the quickest real path to queued replies.
import { parleySignature } from '../../connectors/api/index.js';
import type { Api } from './parley.js';

export const API_SECRET = 'reliability-secret-0123456789abcdef';

export async function apiInboxWithConversation(api: Api, baseUrl: string, name: string, callbackUrl: string): Promise<{ inboxId: string; conversationId: string }> {
  const r = await api.post('/api/v1/inboxes', { name, channel: 'api', config: { secret: API_SECRET, callbackUrl } });
  if (r.status !== 201) throw new Error(`inbox: ${r.status} ${JSON.stringify(r.body)}`);
  const inboxId = r.body.id as string;
  const body = JSON.stringify({ messageId: `in-${name}`, conversationId: `thread-${name}`, contact: { id: `customer-${name}`, name: `Customer ${name}` }, content: 'hello' });
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${baseUrl}/webhooks/${inboxId}`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-parley-timestamp': ts, 'x-parley-signature': await parleySignature(API_SECRET, ts, body) },
  });
  if (!res.ok) throw new Error(`webhook: ${res.status} ${await res.text()}`);
  const convs = await api.get(`/api/v1/conversations?inboxId=${inboxId}`);
  return { inboxId, conversationId: convs.body.data[0].id as string };
}
