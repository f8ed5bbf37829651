// Re-seals every stored secret with the current key: plaintext rows from before encryption at
// rest (migration on start) and rows of a previous key (rotation). One atomic unit.
import type { ChannelKind } from '../../../connectors/types.js';
import { resealFields, type SecretBox } from '../core/secret-box.js';
import type { Deps } from '../deps.js';
import { raw } from '../core/store.js';

export async function resealAll(deps: Pick<Deps, 'store' | 'connectors'>, box: SecretBox): Promise<number> {
  const writes = [];
  for (const r of await deps.store.all<{ id: string; channel: string; config: string }>('SELECT id, channel, config FROM inboxes')) {
    const fields = deps.connectors.get(r.channel as ChannelKind)?.secretFields ?? [];
    if (!fields.length) continue;
    const next = JSON.stringify(await resealFields(box, JSON.parse(r.config) as Record<string, unknown>, fields));
    if (next !== r.config) writes.push(raw('UPDATE inboxes SET config = ? WHERE id = ? AND config = ?', next, r.id, r.config));
  }
  for (const w of await deps.store.all<{ id: string; secret: string }>('SELECT id, secret FROM outgoing_webhooks')) {
    if (!box.isCurrent(w.secret)) writes.push(raw('UPDATE outgoing_webhooks SET secret = ? WHERE id = ?', await box.seal(await box.open(w.secret)), w.id));
  }
  const s = await deps.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'secret'");
  if (s && !box.isCurrent(s.value)) writes.push(raw("UPDATE settings SET value = ? WHERE key = 'secret'", await box.seal(await box.open(s.value))));
  // The assistant's model API key (settings 'assistant.model', field apiKeySealed).
  const a = await deps.store.get<{ value: string }>("SELECT value FROM settings WHERE key = 'assistant.model'");
  if (a) {
    const stored = JSON.parse(a.value) as { apiKeySealed?: string | null };
    if (stored.apiKeySealed && !box.isCurrent(stored.apiKeySealed)) {
      const next = JSON.stringify({ ...stored, apiKeySealed: await box.seal(await box.open(stored.apiKeySealed)) });
      writes.push(raw("UPDATE settings SET value = ? WHERE key = 'assistant.model' AND value = ?", next, a.value));
    }
  }
  if (writes.length) await deps.store.atomically(writes);
  return writes.length;
}
