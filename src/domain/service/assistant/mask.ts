// Masks what must not leave for a model provider: ID numbers (mainland 18-digit), card
// numbers (13-19 digits, spaces or dashes allowed), emails and phone numbers. Each pattern has
// bounded repetitions and no nested quantifiers, so a scan is linear in the text.
const RULES: [RegExp, string][] = [
  [/(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g, '[ID]'],
  [/(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, '[CARD]'],
  [/[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g, '[EMAIL]'],
  [/(?<![\d])(?:\+\d{1,3}[ -]?)?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,4}(?![\d])/g, '[PHONE]'],
];

/** Phone-like runs shorter than this many digits (amounts, dates, order counts) are left alone. */
const MIN_PHONE_DIGITS = 7;

export function maskPersonalData(text: string): string {
  let out = text;
  for (const [re, label] of RULES) {
    out = out.replace(re, (m) => (label === '[PHONE]' && m.replace(/\D/g, '').length < MIN_PHONE_DIGITS ? m : label));
  }
  return out;
}
