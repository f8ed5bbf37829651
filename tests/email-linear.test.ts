// Every text transform on customer mail is linear in its input: crafted 1 MB and 10 MB inputs
// of the shapes that used to be quadratic, and the 10 MB one may take at most ~linear time more.
// The assertion is a ratio (10x the input: well under the 100x a quadratic pass would take).
import { describe, expect, it } from 'vitest';
import { labelUndetectedCharsets } from '../connectors/email/charset-detect.js';
import { splitQuoted } from '../connectors/email/quote.js';
import { sanitizeHtml } from '../connectors/email/sanitize.js';

const MB = 1024 * 1024;
const repeatTo = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));

function bestMs(fn: () => unknown, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Time for 10 MB over time for 1 MB (best of a few runs each, so one GC pause cannot decide). */
function ratio(make: (bytes: number) => string, fn: (s: string) => unknown): number {
  const small = make(MB);
  const big = make(10 * MB);
  fn(small); // warm up the JIT
  const a = Math.max(bestMs(() => fn(small), 3), 5); // under 5 ms is timer and GC noise
  const b = bestMs(() => fn(big), 2);
  return b / a;
}

const LINEAR = 60; // 10x input: linear is ~10-16 alone, up to ~50 under a full parallel suite (GC, 2 shared cores); quadratic is ~100

describe('quote trimming is linear', () => {
  it('alternating quoted and unquoted lines (an inline reply forty thousand times over)', () => {
    const r = ratio((n) => repeatTo('> quoted line\nanswer\n', n), splitQuoted);
    expect(r).toBeLessThan(LINEAR);
  });
  it('quoted lines only, and header-looking lines', () => {
    expect(ratio((n) => `hi\n${repeatTo('> q\n', n)}`, splitQuoted)).toBeLessThan(LINEAR);
    expect(ratio((n) => repeatTo('From: a\nnot a header\non\n', n), splitQuoted)).toBeLessThan(LINEAR);
  });
  it('still splits and keeps what it did', () => {
    expect(splitQuoted('Thanks!\n\nOn Mon, Ann wrote:\n> old')).toEqual({ visible: 'Thanks!', quoted: 'On Mon, Ann wrote:\n> old' });
    expect(splitQuoted('answer\n> q1\nmore\n> q2').quoted).toBe('');
  });
});

describe('the HTML sanitizer is linear', () => {
  it('unbalanced closing tags against a deep open stack', () => {
    expect(ratio((n) => repeatTo('<div>', n / 2) + repeatTo('</span>', n / 2), sanitizeHtml)).toBeLessThan(LINEAR);
  });
  it('many raw-text elements (each used to copy the rest of the input)', () => {
    expect(ratio((n) => repeatTo('<style>x</style>a', n), sanitizeHtml)).toBeLessThan(LINEAR);
    expect(ratio((n) => repeatTo('<script>', n), sanitizeHtml)).toBeLessThan(LINEAR);
  });
  it('unclosed quotes, comments and tags', () => {
    expect(ratio((n) => repeatTo('<a title="x', n), sanitizeHtml)).toBeLessThan(LINEAR);
    expect(ratio((n) => repeatTo('<!-- <b', n), sanitizeHtml)).toBeLessThan(LINEAR);
    expect(ratio((n) => repeatTo('<b x=\'', n), sanitizeHtml)).toBeLessThan(LINEAR);
    expect(ratio((n) => repeatTo('&#x41&amp', n), sanitizeHtml)).toBeLessThan(LINEAR);
  });
  it('nesting is bounded and output stays balanced', () => {
    const out = sanitizeHtml(`${'<b>'.repeat(10_000)}x${'</i>'.repeat(10_000)}`);
    expect(out.split('<b>').length - 1).toBe(out.split('</b>').length - 1);
    expect(out.split('<b>').length - 1).toBeLessThanOrEqual(256);
    expect(sanitizeHtml('<p><b>bold</p> after')).toBe('<p><b>bold</b></p> after');
  });
});

describe('charset detection is linear', () => {
  async function bestAsyncMs(fn: () => Promise<unknown>, runs: number): Promise<number> {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      best = Math.min(best, performance.now() - t);
    }
    return best;
  }
  it('an unlabelled, not-UTF-8 text part (GBK lines) and a multipart of 900 such parts', async () => {
    const gbkLine = Buffer.from('c4e3bac3a3acb7a2c6b1bacdcad5beddb6bcd4dab8bdbcfec0efa3acc7ebb2e9cad5a1a30d0a', 'hex');
    const single = (bytes: number) => Buffer.concat([Buffer.from('From: a@x.test\r\nContent-Type: text/plain\r\n\r\n'), ...Array(Math.ceil(bytes / gbkLine.length)).fill(gbkLine)]);
    // 900 parts (mailsplit refuses more than 1000 nodes; then the first parse is kept).
    const part = (bytes: number) => Buffer.concat([Buffer.from('--z\r\nContent-Type: text/plain\r\n\r\n'), ...Array(Math.ceil(bytes / 900 / gbkLine.length)).fill(gbkLine), Buffer.from('\r\n')]);
    const multi = (bytes: number) => Buffer.concat([Buffer.from('From: a@x.test\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n'), ...Array(900).fill(part(bytes)), Buffer.from('--z--\r\n')]);
    for (const make of [single, multi]) {
      const small = make(MB);
      const big = make(10 * MB);
      expect(await labelUndetectedCharsets(small)).not.toBeNull();
      const a = Math.max(await bestAsyncMs(() => labelUndetectedCharsets(small), 2), 5);
      const b = await bestAsyncMs(() => labelUndetectedCharsets(big), 1);
      expect(b / a).toBeLessThan(LINEAR);
    }
  }, 120_000);
});
