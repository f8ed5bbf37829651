// Deterministic seed data: the same seed gives byte-identical messages, so runs compare.
// Half the customers write Chinese, half English; lengths follow what support chats look
// like (mostly one or two sentences, a long tail of paragraphs).
import type { InboundMessageEvent } from '../connectors/types.js';

/** mulberry32: tiny, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stateless hash of an integer to [0, 1): per-row choices without keeping a generator. */
export function hash01(n: number, salt = 0): number {
  let h = Math.imul((n ^ salt) >>> 0, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const EN = [
  'Hi, I ordered a jacket last week and it still has not arrived.', 'Can you check the tracking number for me?',
  'The package shows delivered but I never got it.', 'I would like a refund for my last order.',
  'How long does a refund usually take?', 'My invoice has the wrong company name on it.',
  'Could you send me a new invoice please?', 'The size is too small, can I exchange it for a larger one?',
  'I was charged twice for the same order.', 'Is there a discount code for returning customers?',
  'The app keeps logging me out when I open my account page.', 'I cannot reset my password, the email never comes.',
  'Where is my order? It has been ten days.', 'Thanks, that solved it!', 'Hello?', 'Any update on this?',
  'The product arrived damaged, the box was crushed.', 'Please cancel my subscription before the next billing date.',
  'Can I change the delivery address to my office?', 'What are your opening hours on weekends?',
  'I need to speak to someone about a warranty claim.', 'The colour is different from the photos on the website.',
  'Do you ship to Canada and how much does it cost?', 'My coupon did not apply at checkout.',
  'I attached a photo of the broken part.', 'OK, I will wait for the courier tomorrow.',
  'Your courier left the parcel with a neighbour I do not know.', 'Can I pay by bank transfer instead of card?',
  'The confirmation email says the order was cancelled but I did not cancel it.', 'Great, thank you for the quick help.',
];
const ZH = [
  '你好，我上周下的订单到现在还没有收到。', '麻烦帮我查一下物流单号。', '快递显示已签收，但是我没有收到包裹。',
  '我想申请退款，请问怎么操作？', '退款一般多久能到账？', '发票抬头开错了，能重新开一张吗？', '请帮我开具增值税发票。',
  '衣服尺码偏小，可以换大一号吗？', '同一个订单被扣了两次钱。', '老客户有没有优惠券？', '应用一打开账户页面就自动退出登录。',
  '收不到重置密码的邮件。', '我的订单怎么还没发货？已经十天了。', '好的，问题解决了，谢谢！', '在吗？', '请问有进展了吗？',
  '商品到的时候外包装已经破损了。', '请在下次扣费之前帮我取消订阅。', '可以把收货地址改成公司地址吗？', '周末客服几点上班？',
  '我想咨询一下保修的问题。', '实物颜色和网站图片不一样。', '请问能寄到加拿大吗？运费多少？', '结算的时候优惠码用不了。',
  '我上传了损坏部件的照片。', '好的，我明天等快递员上门。', '快递员把包裹放在了我不认识的邻居家。', '可以用银行转账付款吗？',
  '确认邮件说订单已取消，但我并没有取消。', '太好了，感谢你们这么快处理。',
];
const EN_NAMES = ['Alice Martin', 'Ben Carter', 'Chloe Nguyen', 'David Kim', 'Emma Rossi', 'Farid Haddad', 'Grace Lee', 'Hugo Silva'];
const ZH_NAMES = ['王伟', '李娜', '张敏', '刘洋', '陈静', '杨磊', '赵婷', '黄强'];

/** Sentences per message: 1 (55%), 2 (25%), 3-4 (15%), 5-8 (5%). Gives ~20-400 chars, mean ~70. */
function sentenceCount(r: number): number {
  if (r < 0.55) return 1;
  if (r < 0.8) return 2;
  if (r < 0.95) return 3 + Math.floor((r - 0.8) / 0.075);
  return 5 + Math.floor((r - 0.95) / 0.0125);
}

export function messageText(rand: () => number, chinese: boolean): string {
  const pool = chinese ? ZH : EN;
  const n = sentenceCount(rand());
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(pool[Math.floor(rand() * pool.length)]);
  // An order number in a quarter of messages, so texts are not all drawn from a closed set.
  if (rand() < 0.25) parts.push(chinese ? `订单号 ${100000 + Math.floor(rand() * 900000)}` : `Order #${100000 + Math.floor(rand() * 900000)}`);
  return parts.join(chinese ? '' : ' ');
}

export interface Shape { messages: number; conversations: number; contacts: number; inboxes: number }
export const FULL: Shape = { messages: 1_000_000, conversations: 100_000, contacts: 50_000, inboxes: 5 };
export const scaled = (k: number): Shape => ({
  messages: Math.round(FULL.messages * k), conversations: Math.round(FULL.conversations * k),
  contacts: Math.max(10, Math.round(FULL.contacts * k)), inboxes: FULL.inboxes,
});

/** Which inbox a contact writes to, and whether they write Chinese. */
export const contactInbox = (contact: number, shape: Shape) => contact % shape.inboxes;
export const contactChinese = (contact: number) => hash01(contact, 7) < 0.5;
export const BASE_TIME = Date.UTC(2026, 0, 1);
export const SPACING_MS = 7_000;

/**
 * Message i of the data set. Conversations open one after another (one every
 * messages/conversations messages) and each stays active over a window of later messages,
 * so threads interleave as they do in a real inbox. Pure function of (i, shape, seed).
 */
export function messageAt(i: number, shape: Shape, seed = 1): { inbox: number; event: InboundMessageEvent } {
  const rand = prng(seed * 1_000_003 + i);
  const per = shape.messages / shape.conversations;
  const newest = Math.min(shape.conversations - 1, Math.floor(i / per));
  // The first messages of every conversation come in order; others pick one of the last 200 opened.
  const conv = i % Math.round(per) === 0 ? newest : Math.max(0, newest - Math.floor(rand() * Math.min(200, newest + 1)));
  const contact = conv % shape.contacts;
  const chinese = contactChinese(contact);
  const names = chinese ? ZH_NAMES : EN_NAMES;
  return {
    inbox: contactInbox(contact, shape),
    event: {
      kind: 'message',
      externalId: `m-${seed}-${i}`,
      threadKey: `t-${conv}`,
      sender: { externalId: `u-${contact}`, name: `${names[contact % names.length]} ${contact}` },
      text: messageText(rand, chinese),
      attachments: [],
      sentAt: BASE_TIME + i * SPACING_MS,
    },
  };
}

/**
 * The n-th signed-webhook body of the intake scenario: a Messenger `messaging` event from a
 * known customer of inbox 1 (contact k writes to inbox k % inboxes), a unique `mid` under
 * `idPrefix`, alternating English and Chinese. Used by run.ts, list-micro.ts and http-cpu.ts.
 */
export function messengerWebhookBody(n: number, shape: Shape, idPrefix: string): string {
  const psid = `u-${((n * 7) % Math.floor(shape.contacts / shape.inboxes)) * shape.inboxes + 1}`;
  return JSON.stringify({ object: 'page', entry: [{ id: 'page-1', time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: 'page-1' }, timestamp: Date.now(),
    message: { mid: `${idPrefix}_${n}`, text: n % 2 ? `Hi, is my order ${n} on its way? The tracking page shows nothing.` : `你好，订单 ${n} 发货了吗？物流信息一直没有更新。` } }] }] });
}

/** The same webhook with one image attachment (payload.url on the bench's fake CDN); the caption is the text. */
export function messengerMediaWebhookBody(n: number, shape: Shape, idPrefix: string, cdnUrl: string): string {
  const body = JSON.parse(messengerWebhookBody(n, shape, idPrefix));
  body.entry[0].messaging[0].message.attachments = [{ type: 'image', payload: { url: `${cdnUrl}/media/${idPrefix}_${n}.jpg?oe=bench` } }];
  return JSON.stringify(body);
}
