// The Chinese word segmenter port. The runtime supplies a real one (jieba on Node, see
// src/runtime/jieba-segmenter.ts; the same WASM module loads on Workers with its web build), so
// the domain names no package that needs Node's fs to load. Without one, Chinese runs fall back
// to overlapping character bigrams, which still match but rank less sharply.
export interface Segmenter {
  /** Names the segmenter and its dictionary: an index built with another one is rebuilt. */
  readonly id: string;
  /** Words of a run of Chinese text, in order; may overlap (search mode: 银行卡 -> 银行, 银行卡). */
  cut(text: string): string[];
}

export const bigramSegmenter: Segmenter = {
  id: 'bigram',
  cut(text) {
    const chars = [...text];
    if (chars.length < 2) return chars;
    const out: string[] = [];
    for (let i = 0; i + 2 <= chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    return out;
  },
};
