// The runtime's Chinese segmenter: jieba-rs compiled to WASM (the jieba-wasm package). Search
// mode, so 银行卡 also yields 银行 and a question that says only 银行 still meets it; HMM on, so
// words missing from the dictionary are found. `segmenterFromJieba` takes the loaded module,
// so a Workers runtime can pass jieba-wasm's web build after `await init(wasmModule)`; Node
// uses `jiebaSegmenter()`, whose Node build loads its .wasm with fs at require time.
import { createRequire } from 'node:module';
import type { Segmenter } from '../domain/service/retrieval/segmenter.js';

export interface JiebaModule { cut_for_search(text: string, hmm?: boolean): string[]; add_word(word: string, freq?: number, tag?: string): number }

// Payments words jieba's general dictionary cuts apart or does not know as one word.
const EXTRA_WORDS = ['到账', '绑卡', '解绑', '扣款', '扣钱', '被扣', '实名认证', '人脸识别', '支付密码', '登录密码', '电子回单', '手续费', '提现', '充值', '限额', '转账'];

const prepared = new WeakSet<object>();
export function segmenterFromJieba(jieba: JiebaModule): Segmenter {
  if (!prepared.has(jieba)) {
    for (const w of EXTRA_WORDS) jieba.add_word(w, 2000);
    prepared.add(jieba);
  }
  return { id: `jieba:${EXTRA_WORDS.length}`, cut: (text) => jieba.cut_for_search(text, true) };
}

let node: Segmenter | null = null;
export function jiebaSegmenter(): Segmenter {
  node ??= segmenterFromJieba(createRequire(import.meta.url)('jieba-wasm') as JiebaModule);
  return node;
}
