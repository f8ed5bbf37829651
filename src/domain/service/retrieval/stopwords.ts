// Words that say nothing about which article a customer needs: grammar, politeness, filler.
// Kept short on purpose: a word that names a wallet topic (卡, money, account) is never here.
export const ZH_STOP = new Set([
  '的', '了', '是', '我', '你', '您', '他', '她', '它', '我们', '你们', '吗', '呢', '啊', '吧', '呀', '哦', '嗯', '在', '有', '么', '这', '那', '这个', '那个',
  '请问', '请', '问', '好', '一个', '一下', '也', '就', '都', '和', '与', '及', '或', '要', '想', '能', '会', '可以', '把', '给', '从', '到', '对', '还',
  '怎么', '怎么办', '怎样', '如何', '什么', '为什么', '为何', '哪里', '哪', '多少', '是不是', '能不能', '可不可以', '已经', '但是', '可是', '然后', '所以',
  '因为', '如果', '就是', '还是', '没有', '不', '没', '很', '太', '非常', '一直', '现在', '刚才', '刚刚', '今天', '昨天', '谢谢', '你好', '您好', '麻烦',
  '帮', '帮忙', '帮我', '一', '个', '下', '上', '里', '吧', '啦', '嘛', '呗', '着', '过', '得', '地', '之', '而', '被', '让', '又', '再', '才',
]);

export const EN_STOP = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'if', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'into', 'about', 'as', 'is', 'am', 'are', 'was',
  'were', 'be', 'been', 'being', 'do', 'does', 'did', 'doing', 'have', 'has', 'had', 'i', 'me', 'my', 'mine', 'you', 'your', 'we', 'our', 'us', 'it',
  'its', 'it\'s', 'this', 'that', 'these', 'those', 'there', 'they', 'them', 'their', 'he', 'she', 'his', 'her', 'what', 'which', 'who', 'whom', 'why',
  'how', 'when', 'where', 'can', 'could', 'would', 'should', 'will', 'shall', 'may', 'might', 'must', 'please', 'hello', 'hi', 'hey', 'thanks', 'thank',
  'help', 'so', 'then', 'than', 'too', 'very', 'just', 'any', 'some', 'all', 'also', 'still', 'yet', 'now', 'today', 'yesterday', 'already', 'i\'m',
  'i\'ve', 'don\'t', 'doesn\'t', 'didn\'t', 'can\'t', 'cannot', 'won\'t', 'isn\'t', 'wasn\'t', 'not', 'no', 'get', 'got', 'want', 'need', 'know',
  'tell', 'anyone', 'someone', 'something', 'way', 'guys', 'ok', 'okay', 'im', 'dont', 'cant', 'pls', 'plz', 'u', 'ur',
]);
