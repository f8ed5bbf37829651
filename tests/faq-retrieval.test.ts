// FAQ ranking in the customer's own words: 20 wallet articles (10 topics, zh-CN and en) against
// two paraphrase sets (zh-CN, zh-TW, English, typos). DEV guided the work; HELD_OUT did not.
// Prints top-1/top-3 accuracy and the bot's answer/hand-off split at its default threshold.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIN_CONFIDENCE } from '../src/domain/service/retrieval/thresholds.js';
import { ARTICLES } from './fixtures/faq-paraphrase/articles.js';
import { evaluate, offTopicHandoffs, type Evaluation } from './fixtures/faq-paraphrase/evaluate.js';
import { DEV, FRESH, HELD_OUT, OFF_TOPIC } from './fixtures/faq-paraphrase/questions.js';
import { fixture } from './helpers/fixture.js';
import { startTestParley } from './helpers/parley.js';

const p = fixture(() => startTestParley());
const topicOf = new Map<string, string>();

beforeAll(async () => {
  for (const a of ARTICLES) {
    const r = await p.api.post('/api/v1/faq-articles', { title: a.title, body: a.body, tags: a.tags, locale: a.locale });
    expect(r.status).toBe(201);
    topicOf.set(r.body.id, a.topic);
  }
});

const report = (name: string, e: Evaluation) => {
  const kinds = Object.entries(e.byKind).map(([k, v]) => `${k} ${v.top1}/${v.n}`).join(', ');
  console.log(`[faq-quality] ${name}: top-1 ${e.top1}/${e.n} (${Math.round((100 * e.top1) / e.n)}%), top-3 ${e.top3}/${e.n}; ${kinds}; ` +
    `bot at ${DEFAULT_MIN_CONFIDENCE}: answered right ${e.answeredRight}, answered wrong ${e.answeredWrong}, handed off ${e.handedOff}`);
  console.log(`[faq-quality]   right answers' confidence: ${e.rightConfidences.join(' ')}`);
  for (const m of e.misses) console.log(`[faq-quality]   miss: ${m.q} -> ${m.got} (want ${m.want}, confidence ${m.confidence})`);
};
/** How the ranking and the bot (at its default threshold) do on one question set, printed. */
const evaluated = async (name: string, questions: typeof DEV) => {
  const e = await evaluate(p.deps, topicOf, questions, DEFAULT_MIN_CONFIDENCE);
  report(name, e);
  return e;
};

describe('FAQ ranking against paraphrased questions', () => {
  it('finds the right article first for at least 90% of the development set', async () => {
    const e = await evaluated('dev', DEV);
    expect(DEV.length).toBeGreaterThanOrEqual(50);
    expect(e.top1 / e.n).toBeGreaterThanOrEqual(0.9);
    // The bot's answers are mostly right, and it hands off rather than guessing wrong often.
    expect(e.answeredWrong).toBeLessThanOrEqual(Math.ceil(e.n * 0.05));
    expect(e.answeredRight / e.n).toBeGreaterThanOrEqual(0.7);
  });

  it('finds the right article first for at least 90% of the held-out set', async () => {
    const e = await evaluated('held-out', HELD_OUT);
    expect(HELD_OUT.length).toBeGreaterThanOrEqual(50);
    expect(e.top1 / e.n).toBeGreaterThanOrEqual(0.9);
    expect(e.answeredWrong).toBeLessThanOrEqual(Math.ceil(e.n * 0.08));
  });

  it('does about as well on a set written after the last ranking change', async () => {
    const e = await evaluated('fresh', FRESH);
    expect(e.top1 / e.n).toBeGreaterThanOrEqual(0.8);
  });

  it('hands off questions no article answers', async () => {
    const off = await offTopicHandoffs(p.deps, OFF_TOPIC, DEFAULT_MIN_CONFIDENCE);
    console.log(`[faq-quality] off-topic: handed off ${off.handedOff}/${off.n} (confidences ${off.confidences.join(' ')})${off.answered.length ? `; answered: ${off.answered.join('; ')}` : ''}`);
    expect(off.handedOff / off.n).toBeGreaterThanOrEqual(0.8);
  });
});
