// Labels in use, with how many conversations carry each (for label pickers and filters).
import { inboxScope, type Actor } from '../core/actor.js';
import type { Deps } from '../deps.js';

export async function listLabels(deps: Deps, actor: Actor, q?: string): Promise<{ label: string; count: number }[]> {
  const scope = inboxScope(actor);
  const where = [scope.sql];
  const params = [...scope.params];
  const prefix = q?.trim();
  if (prefix) { where.push("cl.label LIKE ? ESCAPE '\\'"); params.push(`${prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`); }
  const rows = await deps.store.all<{ label: string; count: number }>(
    `SELECT cl.label AS label, count(*) AS count FROM conversation_labels cl JOIN conversations c ON c.id = cl.conversation_id
     WHERE ${where.join(' AND ')} GROUP BY cl.label ORDER BY count DESC, cl.label LIMIT 500`,
    params,
  );
  return rows.map((r) => ({ label: r.label, count: Number(r.count) }));
}
