// The Node runtime's Chinese segmenter: jieba-rs compiled to WASM (jieba-wasm's Node build
// loads its .wasm with fs at import). Search mode, so 银行卡 also yields 银行 and a question
// that says only 银行 still meets it; HMM on, so words missing from the dictionary are found.
// On Workers the package's web build does the same after `await init(wasmModule)`.
import { createRequire } from 'node:module';
import type { Segmenter } from '../domain/retrieval/segmenter.js';

type Jieba = { cut_for_search(text: string, hmm?: boolean): string[]; add_word(word: string, freq?: number, tag?: string): number };
let jieba: Jieba | null = null;

// Payments words jieba's general dictionary cuts apart (扣|钱 is fine, but 到账 and 绑卡 are not words there).
const EXTRA_WORDS = ['到账', '绑卡', '解绑', '扣款', '扣钱', '被扣', '实名认证', '人脸识别', '支付密码', '登录密码', '电子回单', '手续费', '提现', '充值', '限额', '转账'];

export function jiebaSegmenter(): Segmenter {
  if (!jieba) {
    jieba = createRequire(import.meta.url)('jieba-wasm') as Jieba;
    for (const w of EXTRA_WORDS) jieba.add_word(w, 2000);
  }
  const j = jieba;
  return { cut: (text) => j.cut_for_search(text, true) };
}
