// Search index upkeep. FTS5 writes one segment per ingest unit and merges them only a little
// at a time, so a busy store carries tens of segments, and the newest-first walk search does
// for a common term reads every segment's doclists backwards: at 100k bench messages
// (15 segments) "tracking number" cost 3.5 ms; merged into one segment, 1.8 ms. This job
// merges in small steps (FTS5 'merge' with a page budget), yielding between them so the
// serving thread never stalls for long (a 200-page step is ~10-30 ms at 1M messages).
import type { Deps } from '../deps.js';

const TABLES = ['messages_fts', 'contacts_fts'] as const;

export interface MergeReport { steps: number; done: boolean }

/**
 * Merge steps of `pages` pages each (FTS5 `merge` with a negative budget: merge even fewer
 * than 'usermerge' segments, so the index converges to one segment) until nothing is left or
 * `maxSteps` ran. A step that did work rewrites the index's structure record (rowid 10 of the
 * `_data` shadow table); one that found nothing to merge leaves it as it was. (total_changes()
 * cannot tell: on D1 it rises with every query.)
 */
export async function mergeSearchIndex(deps: Deps, opts: { pages?: number; maxSteps?: number } = {}): Promise<MergeReport> {
  const pages = opts.pages ?? 200;
  const maxSteps = opts.maxSteps ?? 50;
  let steps = 0;
  for (const table of TABLES) {
    for (;;) {
      if (steps >= maxSteps) return { steps, done: false };
      const structure = `SELECT hex(block) AS s FROM ${table}_data WHERE id = 10`;
      const before = (await deps.store.get<{ s: string }>(structure))?.s;
      await deps.store.run(`INSERT INTO ${table}(${table}, rank) VALUES ('merge', ?)`, [-pages]);
      const after = (await deps.store.get<{ s: string }>(structure))?.s;
      steps++;
      if (after === before) break;
      // Let requests in between steps.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return { steps, done: true };
}
