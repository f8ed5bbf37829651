// Signs that a customer wants a person rather than an article: asking for one, or being angry.
// Plain alternations of fixed words, so each check is one linear scan.
const ASKS_FOR_PERSON = /人工|真人|转人工|轉人工|客服人员|客服人員|找客服|\b(human|real person|an agent|a person|someone real|speak to (someone|somebody|a manager)|talk to (someone|somebody|a manager)|representative|operator)\b/i;
const ANGRY = /投诉|投訴|垃圾|骗子|騙子|气死|氣死|太差|坑人|报警|報警|曝光|愤怒|憤怒|\b(scam|fraud|terrible|ridiculous|unacceptable|worst|useless|angry|furious|disgusting|wtf|sue you|lawyer)\b|[!！]{3,}/i;

export type HandoffSignal = 'asks_for_person' | 'angry' | null;

export function handoffSignal(text: string): HandoffSignal {
  const t = text.slice(0, 4000);
  if (ASKS_FOR_PERSON.test(t)) return 'asks_for_person';
  if (ANGRY.test(t)) return 'angry';
  return null;
}
