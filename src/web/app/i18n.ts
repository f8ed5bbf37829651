// English and Simplified Chinese. The user's locale (users.locale) picks the dictionary.
import en from './locales/en.json';
import zhCN from './locales/zh-CN.json';

export type Locale = 'en' | 'zh-CN';

// The dictionaries are data (locales/*.json), so translators edit them without touching code;
// the type below still makes the compiler refuse a Chinese dictionary that lacks a key.
type Dict = Record<keyof typeof en, string>;
const zh: Dict = zhCN;

let locale: Locale = 'en';
let dict: Dict = en;

export function setLocale(l: Locale): void {
  locale = l;
  dict = l === 'zh-CN' ? zh : en;
  document.documentElement.lang = l;
}
export const getLocale = () => locale;

export function t(key: string): string {
  return (dict as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
}

export function fmtTime(iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function relTime(iso: string): string {
  const d = new Date(iso);
  const diff = (Date.now() - d.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' });
  if (diff < 45) return rtf.format(0, 'second');
  if (diff < 3600) return rtf.format(-Math.round(diff / 60), 'minute');
  if (diff < 86_400) return rtf.format(-Math.round(diff / 3600), 'hour');
  if (diff < 7 * 86_400) return rtf.format(-Math.round(diff / 86_400), 'day');
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(d);
}
