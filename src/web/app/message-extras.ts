// What platforms add to a message beyond its text, as the thread shows it: the customer's
// edits (with the earlier versions), a message they deleted (hidden, kept for the record),
// reactions, the link a "continued on" note carries, an email's trimmed quoted history, and
// where a conversation came from.
import { h, type Child } from './dom.js';
import { fmtTime, t } from './i18n.js';

export interface MsgExtras {
  id: string;
  content: string;
  edited?: { at: string; edits: { content: string; replacedAt: string }[] };
  deleted?: { at: string; by: string; content: string };
  reactions?: { emoji: string; by: string }[];
  meta?: Record<string, unknown>;
}

/** The body of a message: its text, or the "deleted by the customer" placeholder. */
export function messageBody(m: MsgExtras): HTMLElement {
  if (m.deleted) {
    return h('div', { class: 'msg-body deleted' }, h('em', null, t('deletedByCustomer'), ' · ', fmtTime(m.deleted.at)),
      m.deleted.content ? h('details', { class: 'record' }, h('summary', null, t('showDeleted')), h('div', null, m.deleted.content)) : null);
  }
  const link = m.meta?.link as { conversationId?: string } | undefined;
  const quoted = typeof m.meta?.quotedText === 'string' && m.meta.quotedText ? m.meta.quotedText : null;
  return h('div', { class: 'msg-body' }, m.content,
    // The history an email reply quoted, trimmed from the text (docs/email.md): one click away.
    quoted ? h('details', { class: 'quoted' }, h('summary', null, t('showQuoted')), h('div', { class: 'quoted-text' }, quoted)) : null,
    link?.conversationId ? h('div', null, h('a', { class: 'linked', href: `#/inbox/${link.conversationId}` }, '↪ ', t('openLinked'))) : null);
}

/** "edited" with the earlier versions, and the reactions row. */
export function messageExtras(m: MsgExtras): Child[] {
  const out: Child[] = [];
  if (m.edited && !m.deleted) {
    out.push(h('details', { class: 'edited' }, h('summary', null, `(${t('edited')} ${fmtTime(m.edited.at)})`),
      h('ul', null, m.edited.edits.map((e) => h('li', null, h('span', { class: 'muted' }, fmtTime(e.replacedAt), ' '), e.content)))));
  }
  if (m.reactions?.length) {
    out.push(h('div', { class: 'reactions', 'aria-label': 'reactions' }, m.reactions.map((r) => h('span', { class: 'reaction chip', title: r.by }, r.emoji))));
  }
  return out;
}

/** The header chip for a conversation's origin (ad, m.me link, click-to-WhatsApp). */
export function originChip(origin: Record<string, unknown> | undefined): HTMLElement | null {
  if (!origin) return null;
  const what = [origin.adTitle, origin.ref, origin.source].find((x) => typeof x === 'string' && x) as string | undefined;
  const url = typeof origin.url === 'string' && /^https?:\/\//.test(origin.url) ? origin.url : null;
  return h('span', { class: 'chip origin', title: JSON.stringify(origin) }, `${t('cameFrom')}: ${String(origin.source ?? '').replaceAll('_', ' ')}${what && what !== origin.source ? ` · ${what}` : ''}`,
    url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, ' ↗') : null);
}
