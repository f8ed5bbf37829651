// What the simulated customers of a digital wallet write, in Chinese and English.
export interface SimulatedCustomer {
  id: string;
  name: string;
  email?: string;
  phone?: string;
  handle?: string;
  lines: string[];
}

export const customers: SimulatedCustomer[] = [
  { id: 'c1', name: '王小明', email: 'xiaoming.wang@example.cn', phone: '+8613800138000', handle: 'xiaoming_w',
    lines: ['你好，我昨天的转账失败了，但是钱已经扣了，交易号 TX20261124-8831。', '请问什么时候能退回？'] },
  { id: 'c2', name: 'Emily Carter', email: 'emily.carter@example.com', phone: '+14155550123', handle: 'emilyc',
    lines: ['Hi, my account got locked after I tried to log in from my new phone.', 'I can\'t receive the SMS code either. Can you help?'] },
  { id: 'c3', name: '李娜', email: 'li.na@example.cn', phone: '+8613900139000', handle: 'lina_pay',
    lines: ['我的银行卡无法绑定，一直提示"验证失败"。', '是招商银行的储蓄卡。'] },
  { id: 'c4', name: 'Rahul Mehta', email: 'rahul.m@example.in', phone: '+919800000001', handle: 'rahulm',
    lines: ['I paid a merchant 30 minutes ago and never got the confirmation.', 'The merchant says they didn\'t receive it. Order #A-5521.'] },
  { id: 'c5', name: '陈志强', email: 'zq.chen@example.cn', phone: '+8613700137000', handle: 'zqchen',
    lines: ['充值一直显示处理中，已经两个小时了。'] },
];

export const followUps = ['谢谢！', 'Thanks, that worked.', '好的，我再试一下。', 'OK, I will wait.'];
