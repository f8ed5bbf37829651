// Scenario 7: FAQ ranking in the customer's words, in process on its own SQLite file. Quality
// (top-1 accuracy on the paraphrase sets in tests/fixtures/faq-paraphrase, the bot's
// answer/hand-off split at its default threshold) and the time to rank one question.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_MIN_CONFIDENCE } from '../src/domain/service/retrieval/thresholds.js';
import { createFaq, rankArticles } from '../src/domain/service/faq.js';
import { startParley } from '../src/runtime/server.js';
import { ARTICLES } from '../tests/fixtures/faq-paraphrase/articles.js';
import { evaluate } from '../tests/fixtures/faq-paraphrase/evaluate.js';
import { DEV, FRESH, HELD_OUT } from '../tests/fixtures/faq-paraphrase/questions.js';

export interface FaqRow { figure: string; value: number; unit: string; limit: number | null; ratio: number | null; target: string; pass: boolean }

export async function faqRows(quick: boolean): Promise<FaqRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-faq-'));
  const running = await startParley({ port: 0, host: '127.0.0.1', dbFile: join(dir, 'faq.db'), scheduler: false, secret: 'bench-secret-bench-secret', log: pino({ level: 'silent' }), bootstrapAdmin: false });
  const rows: FaqRow[] = [];
  try {
    const { deps } = running;
    const actor = { id: 'bench', role: 'admin' as const, name: 'bench', email: 'bench@local' };
    const topicOf = new Map<string, string>();
    for (const a of ARTICLES) topicOf.set((await createFaq(deps, actor, a)).id, a.topic);
    for (const [name, set] of [['development', DEV], ['held-out', HELD_OUT], ['fresh', FRESH]] as const) {
      const e = await evaluate(deps, topicOf, set, DEFAULT_MIN_CONFIDENCE);
      const acc = e.top1 / e.n;
      rows.push({ figure: `7. FAQ top-1 accuracy, ${name} set (${e.n} questions)`, value: Math.round(acc * 1000) / 10, unit: '%', limit: 90, ratio: Math.round((acc / 0.9) * 1000) / 1000, target: '>= 90 %', pass: acc >= 0.9 });
      rows.push({ figure: `7. FAQ bot split, ${name} set: answered right / wrong / handed off`, value: e.answeredRight, unit: `/ ${e.answeredWrong} / ${e.handedOff}`, limit: null, ratio: null, target: 'info (threshold 0.5)', pass: true });
    }
    const questions = [...DEV, ...HELD_OUT, ...FRESH].map((q) => q.q);
    for (const q of questions) await rankArticles(deps, q, { limit: 3 }); // warm: jieba, OpenCC, the vocabulary cache
    const times: number[] = [];
    const rounds = quick ? 1 : 5;
    for (let r = 0; r < rounds; r++) {
      for (const q of questions) { const t = performance.now(); await rankArticles(deps, q, { limit: 3 }); times.push(performance.now() - t); }
    }
    times.sort((a, b) => a - b);
    const p = (x: number) => Math.round(times[Math.min(times.length - 1, Math.floor(x * times.length))]! * 1000) / 1000;
    rows.push({ figure: '7. FAQ ranking of one question, p50 (20 articles, in process)', value: p(0.5), unit: 'ms', limit: null, ratio: null, target: 'info', pass: true });
    // p99 is at the mercy of the shared 2-core machine (spikes of 10-40 ms hit random questions).
    rows.push({ figure: '7. FAQ ranking of one question, p99', value: p(0.99), unit: 'ms', limit: null, ratio: null, target: 'info (see the load rows)', pass: true });
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
