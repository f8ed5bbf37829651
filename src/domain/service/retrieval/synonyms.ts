// The account's synonym list: groups of words a customer uses for the same thing. At question
// time a group any of whose words occurs in the question adds one clause that any of its
// words satisfies, so editing the list needs no re-indexing. Defaults fit payments support.
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { foldText } from './fold.js';
import type { Segmenter } from './segmenter.js';
import { latinTerms, terms } from './tokenize.js';

export const DEFAULT_SYNONYMS: string[][] = [
  ['扣款', '扣钱', '被扣', '扣费', '扣了', '划走', '钱少了', 'deducted', 'charged', 'debited', 'taken from my account'],
  ['冻结', '锁定', '封号', '被封', '封了', '限制登录', 'frozen', 'freeze', 'locked', 'blocked', 'suspended', 'disabled'],
  ['充值', '充钱', '存钱', '加钱', '转入', 'top up', 'topup', 'add money', 'add funds', 'load money', 'deposit', 'recharge'],
  ['提现', '取现', '提款', '转出', 'withdraw', 'withdrawal', 'cash out', 'payout'],
  ['退款', '退钱', '返还', '退回', 'refund', 'money back', 'reimburse', 'chargeback'],
  ['收据', '凭证', '发票', '小票', '回单', '电子回单', 'receipt', 'invoice', 'proof of payment', 'confirmation email'],
  ['转账', '汇款', '打款', '转钱', 'transfer', 'send money', 'remittance', 'wire'],
  ['失败', '没成功', '不成功', '未成功', '没到账', '未到账', 'failed', 'unsuccessful', 'did not go through', "didn't go through", 'not received', 'declined'],
  ['密码', '登录密码', '支付密码', 'password', 'passcode', 'pin'],
  ['重置', '忘记', '找回', '修改', '改密码', 'reset', 'forgot', 'forgotten', 'recover', 'change'],
  ['绑定', '添加', '关联', '绑卡', 'link', 'bind', 'add card', 'connect'],
  ['银行卡', '储蓄卡', '信用卡', '借记卡', 'bank card', 'debit card', 'credit card', 'card'],
  ['限额', '额度', '上限', '最多', 'limit', 'limits', 'maximum', 'cap', 'how much can i'],
  ['手续费', '费用', '收费', '服务费', 'fee', 'fees', 'cost', 'commission'],
  ['实名认证', '身份认证', '身份验证', '实名', '认证', '身份证', 'kyc', 'verify identity', 'identity verification', 'verification', 'id check', 'verify my id'],
  ['账户', '账号', '帐户', '帐号', 'account', 'wallet'],
];

export const synonymsSchema = z.array(z.array(z.string().trim().min(1).max(60)).min(2).max(40)).max(300);
const SETTING_KEY = 'retrieval.synonyms';

export async function loadSynonyms(deps: Deps): Promise<string[][]> {
  const row = await deps.store.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [SETTING_KEY]);
  if (!row) return DEFAULT_SYNONYMS;
  const parsed = synonymsSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_SYNONYMS;
}

export async function saveSynonyms(deps: Deps, groups: string[][] | null): Promise<string[][]> {
  if (groups === null) await deps.store.run('DELETE FROM settings WHERE key = ?', [SETTING_KEY]);
  else await deps.store.run('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    [SETTING_KEY, JSON.stringify(groups.map((g) => [...new Set(g)]))]);
  return loadSynonyms(deps);
}

/** A synonym group prepared for matching: each member as folded text and as its index terms. */
interface CompiledMember { folded: string; latin: string[] | null; terms: string[] }
type Compiled = CompiledMember[][];
// Per segmenter, then per list: a list compiled with one segmenter's cuts is wrong for another.
const compiledCache = new WeakMap<Segmenter, WeakMap<string[][], Compiled>>();

function compile(groups: string[][], seg: Segmenter): Compiled {
  let bySeg = compiledCache.get(seg);
  if (!bySeg) compiledCache.set(seg, (bySeg = new WeakMap()));
  let c = bySeg.get(groups);
  if (!c) {
    c = groups.map((g) => g.map((m) => {
      const folded = foldText(m);
      const han = /[\u3400-\u9fff]/u.test(folded);
      return { folded, latin: han ? null : latinTerms(folded), terms: terms(m, seg) };
    }).filter((m) => m.terms.length > 0));
    bySeg.set(groups, c);
  }
  return c;
}

const containsSeq = (hay: string[], needle: string[]) => {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

/**
 * The groups the question mentions, each as the list of every member's terms. Chinese members
 * match as substrings of the folded question, others as runs of stemmed words. Cost: the
 * question's length times the (bounded) list's size.
 */
export function matchSynonyms(question: string, groups: string[][], seg: Segmenter): SynonymMatch[] {
  const folded = foldText(question.slice(0, 2000));
  const words = latinTerms(folded);
  const out: SynonymMatch[] = [];
  for (const g of compile(groups, seg)) {
    const hits = g.filter((m) => (m.latin ? containsSeq(words, m.latin) : folded.includes(m.folded)));
    if (hits.length) out.push({ members: g.map((m) => m.terms), said: hits.flatMap((m) => m.terms) });
  }
  return out;
}

/** A group the question mentions: every member's terms, and the terms of the members it said. */
export interface SynonymMatch { members: string[][]; said: string[] }
