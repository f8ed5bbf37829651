// Text folding before tokenizing: full-width -> half-width (NFKC), lower case, and traditional
// Chinese -> simplified (OpenCC's Taiwan-phrases dictionary, pure JS), so 帳戶被凍結 and
// 账户被冻结 are the same words. OpenCC converts by longest dictionary match, linear in the text.
import * as OpenCC from 'opencc-js/t2cn';

let toSimplified: ((s: string) => string) | null = null;

export function foldText(text: string): string {
  toSimplified ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  const t = text.normalize('NFKC').toLowerCase();
  return /[\u3400-\u9fff]/u.test(t) ? toSimplified(t) : t;
}
