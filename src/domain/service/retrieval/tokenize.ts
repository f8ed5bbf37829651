// Text -> index terms, the same way for documents and questions: folded (NFKC, lower case,
// traditional -> simplified), Chinese runs cut into words by the segmenter plus each character
// as a weak term (so a wrong character or an unusual cut still overlaps), other text into
// words minus stop words, stemmed (Porter: refunded/refunds -> refund). Linear in the text.
import { stemmer } from 'stemmer';
import { foldText } from './fold.js';
import type { Segmenter } from './segmenter.js';
import { EN_STOP, ZH_STOP } from './stopwords.js';

/** Prefix of single-character Chinese terms: they match, but weigh less than words. */
export const CHAR_PREFIX = '\u00b7';
const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_]*/gu;
/** Longest input looked at: an FAQ body or a few messages; the rest adds nothing to ranking. */
export const MAX_TEXT = 20_000;

export function stem(word: string): string {
  return /^[a-z]+$/.test(word) ? stemmer(word) : word;
}

/** Latin-script words of a folded text, stop words removed, not stemmed. */
export function latinWords(folded: string): string[] {
  const out: string[] = [];
  for (const w of folded.replace(HAN_RUN, ' ').match(WORD) ?? []) {
    const word = w.replace(/'s$/, '');
    if (word.length > 40 || EN_STOP.has(word) || EN_STOP.has(w)) continue;
    out.push(word.replaceAll("'", ''));
  }
  return out;
}

/** Latin-script words of a folded text, stop words removed, stemmed. */
export const latinTerms = (folded: string): string[] => latinWords(folded).map(stem);

/** Chinese words (segmenter) and weak single characters of a folded text. */
export function hanTerms(folded: string, seg: Segmenter): string[] {
  const out: string[] = [];
  for (const run of folded.match(HAN_RUN) ?? []) {
    for (const w of seg.cut(run)) if (!ZH_STOP.has(w) && [...w].length > 1) out.push(w);
    for (const ch of run) if (!ZH_STOP.has(ch)) out.push(CHAR_PREFIX + ch);
  }
  return out;
}

/** All index terms of a text, in order, with repeats (their count is the term frequency). */
export function terms(text: string, seg: Segmenter): string[] {
  const folded = foldText(text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);
  return [...hanTerms(folded, seg), ...latinTerms(folded)];
}
