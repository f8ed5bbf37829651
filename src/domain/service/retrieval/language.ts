// Which language to answer a customer in: Chinese when the text has Chinese characters
// (traditional when folding to simplified changes it), English otherwise.
import { foldText } from './fold.js';

export type CustomerLanguage = 'en' | 'zh-CN' | 'zh-TW';

export function customerLanguage(text: string): CustomerLanguage {
  const sample = text.slice(0, 2000);
  if (!/[\u3400-\u9fff]/u.test(sample)) return 'en';
  const plain = sample.normalize('NFKC').toLowerCase();
  return foldText(plain) !== plain ? 'zh-TW' : 'zh-CN';
}

