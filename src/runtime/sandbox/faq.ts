// The sandbox wallet's FAQ (a few topics in zh-CN and en) so suggestions, the assistant's
// grounded replies and the after-hours bot have something to answer from.
export const sandboxFaq: { title: string; body: string; tags: string[]; locale: 'zh-CN' | 'en' }[] = [
  { locale: 'zh-CN', title: '转账失败但已扣款怎么办', tags: ['转账', '扣款'], body: '如果转账显示失败但余额已减少，资金通常会在1-3个工作日内自动退回。超过3个工作日仍未退回，请提供交易单号联系客服。' },
  { locale: 'en', title: 'My transfer failed but the money was deducted', tags: ['transfer', 'deducted'], body: 'If a transfer failed but your balance went down, the money normally comes back within 1-3 business days. If not, send us the transaction ID.' },
  { locale: 'zh-CN', title: '账户被冻结了怎么办', tags: ['冻结'], body: '检测到异常登录或可疑交易时，账户会被临时冻结。请在App中完成身份核验申请解冻，通常24小时内处理。' },
  { locale: 'en', title: 'My account is frozen', tags: ['frozen'], body: 'We freeze an account for a while after an unusual sign-in. Complete the identity check in the app to unfreeze it; most requests take under 24 hours.' },
  { locale: 'zh-CN', title: '银行卡绑定失败怎么办', tags: ['银行卡', '绑定'], body: '请确认持卡人姓名、身份证号与实名信息一致，且银行预留手机号能收到验证码。' },
  { locale: 'en', title: 'Adding a bank card fails', tags: ['bank card'], body: 'Make sure the cardholder name and ID match your verified identity, and that your bank-registered phone receives the code.' },
  { locale: 'zh-CN', title: '退款多久到账', tags: ['退款'], body: '商户同意退款后，余额支付即时到账，银行卡支付需要3-7个工作日。' },
  { locale: 'en', title: 'How long does a refund take?', tags: ['refund'], body: 'After the merchant approves it, a refund to your balance is instant; to a bank card it takes 3-7 business days.' },
];
