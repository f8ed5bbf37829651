// The word-level FAQ index: folding, segmentation, stemming, and the account's synonym list
// (API, permissions, and that an edited list changes ranking on the next question).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerLanguage } from '../src/domain/service/retrieval/language.js';
import { bigramSegmenter } from '../src/domain/service/retrieval/segmenter.js';
import { CHAR_PREFIX, terms } from '../src/domain/service/retrieval/tokenize.js';
import { editDistanceWithin, nearestWords } from '../src/domain/service/retrieval/typos.js';
import { jiebaSegmenter } from '../src/runtime/jieba-segmenter.js';
import { startTestParley, type TestParley } from './helpers/parley.js';

describe('index terms', () => {
  const seg = jiebaSegmenter();
  it('folds traditional to simplified and full-width to half-width before cutting words', () => {
    const words = terms('帳戶被凍結了怎麼辦', seg).filter((t) => !t.startsWith(CHAR_PREFIX));
    expect(words).toEqual(expect.arrayContaining(['帐户', '冻结']));
    expect(terms('ＴＯＰ ＵＰ', seg)).toEqual(['top', 'up']);
  });
  it('drops stop words and stems English', () => {
    expect(terms('How do I get my refunds for the failed transfers?', seg)).toEqual(['refund', 'fail', 'transfer']);
  });
  it('cuts Chinese into words (search mode) and keeps characters as weak terms', () => {
    const t = terms('银行卡绑定失败', seg);
    expect(t).toEqual(expect.arrayContaining(['银行卡', '银行', '绑定', '失败', `${CHAR_PREFIX}卡`]));
    expect(terms('我的', seg)).toEqual([]);
  });
  it('falls back to bigrams without a segmenter', () => {
    expect(bigramSegmenter.cut('银行卡')).toEqual(['银行', '行卡']);
  });
  it('tells simplified, traditional and English customers apart', () => {
    expect(customerLanguage('我的账户被冻结了')).toBe('zh-CN');
    expect(customerLanguage('我的帳戶被凍結了')).toBe('zh-TW');
    expect(customerLanguage('my account is frozen')).toBe('en');
  });
  it('matches typos within one or two edits, transpositions counting one', () => {
    expect(editDistanceWithin('recieve', 'receive', 2)).toBe(1);
    expect(nearestWords('pasword', ['password', 'passport', 'refund'])).toEqual(['password']);
    expect(nearestWords('abc', ['abd'])).toEqual([]);
  });
});

let p: TestParley;
beforeAll(async () => { p = await startTestParley(); });
afterAll(() => p?.stop());

describe('the FAQ word index', () => {
  it('is rebuilt when the segmenter changes (an index from another runtime or dictionary is never mixed in)', async () => {
    const a = await p.api.post('/api/v1/faq-articles', { title: '银行卡绑定失败', body: '请确认预留手机号。', locale: 'zh-CN' });
    const terms = () => p.deps.store.all<{ term: string }>("SELECT term FROM retrieval_postings WHERE kind = 'faq' AND doc_id = ?", [a.body.id]).then((r) => r.map((x) => x.term));
    expect((await p.api.get('/api/v1/faq-articles?q=绑卡失败')).body.data[0].id).toBe(a.body.id);
    expect(await terms()).toContain('银行卡');
    const jieba = p.deps.segmenter;
    p.deps.segmenter = bigramSegmenter;
    try {
      expect((await p.api.get('/api/v1/faq-articles?q=银行卡绑不上')).body.data[0].id).toBe(a.body.id);
      expect(await terms()).toContain('行卡');
      expect(await terms()).not.toContain('银行卡');
    } finally { p.deps.segmenter = jieba; }
    await p.api.get('/api/v1/faq-articles?q=银行卡');
    expect(await terms()).toContain('银行卡');
    await p.api.raw(`/api/v1/faq-articles/${a.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(await terms()).toEqual([]);
  });
});

describe('synonym list API', () => {
  it('serves the payments defaults, lets an admin replace and reset them, and ranks with the new list', async () => {
    const agent = await p.createUser('agent');
    const def = await p.as(agent.token).get('/api/v1/retrieval/synonyms');
    expect(def.status).toBe(200);
    expect(def.body.isDefault).toBe(true);
    expect(def.body.groups.some((g: string[]) => g.includes('扣款') && g.includes('扣钱') && g.includes('被扣'))).toBe(true);
    expect(def.body.groups.some((g: string[]) => g.includes('top up') && g.includes('add money'))).toBe(true);

    const put = (token: string, body: unknown) => p.as(token).raw('/api/v1/retrieval/synonyms', {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put(agent.token, { groups: [['a', 'b']] })).status).toBe(403);
    const bad = await put(p.adminToken, { groups: [['only-one']] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBeTruthy();

    const art = await p.api.post('/api/v1/faq-articles', { title: 'Parcel tracking', body: 'Track your parcel under Orders.', locale: 'en' });
    expect(art.status).toBe(201);
    const before = await p.api.get('/api/v1/faq-articles?q=where%20is%20my%20shipment');
    expect(before.body.data.map((a: any) => a.id)).not.toContain(art.body.id);

    const saved = await put(p.adminToken, { groups: [['shipment', 'parcel', 'package']] });
    expect(saved.status).toBe(200);
    expect((await saved.json()).groups).toEqual([['shipment', 'parcel', 'package']]);
    const after = await p.api.get('/api/v1/faq-articles?q=where%20is%20my%20shipment');
    expect(after.body.data[0]).toMatchObject({ id: art.body.id });
    expect(after.body.data[0].confidence).toBeGreaterThan(0.5);

    const reset = await p.api.raw('/api/v1/retrieval/synonyms', { method: 'DELETE', headers: { authorization: `Bearer ${p.adminToken}` } });
    expect((await reset.json()).isDefault).toBe(true);
  });
});
