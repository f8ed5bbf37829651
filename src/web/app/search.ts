// Search across messages, conversations and contacts (Chinese works: the API uses trigram FTS).
// Without the search area's endpoint it falls back to the conversation list's ?q= filter.
import { get, optional, qs } from './api.js';
import { h, render } from './dom.js';
import { fmtTime, t } from './i18n.js';
import { badge } from './inbox.js';

export async function searchView(main: HTMLElement, q: string): Promise<void> {
  const out = h('div', { class: 'search-results', id: 'search-results' }, h('p', { class: 'muted' }, t('loading')));
  render(main, h('div', { class: 'pad narrow' }, h('h1', null, t('searchResultsFor'), ' “', q, '”'), out));
  if (!q.trim()) { render(out, h('p', { class: 'muted' }, t('typeToSearch'))); return; }
  try {
    const r = await optional<any>(`/api/v1/search${qs({ q })}`);
    const conversations: any[] = r?.conversations ?? (r ? [] : (await get<any>(`/api/v1/conversations${qs({ q, limit: 50 })}`)).data);
    const messages: any[] = r?.messages ?? [];
    const contacts: any[] = r?.contacts ?? [];
    const mark = (text: string) => {
      const i = text.toLowerCase().indexOf(q.toLowerCase());
      if (i < 0) return text.slice(0, 200);
      const start = Math.max(0, i - 60);
      return [start ? '…' : '', text.slice(start, i), h('mark', null, text.slice(i, i + q.length)), text.slice(i + q.length, i + q.length + 120)];
    };
    const section = (title: string, items: Node[]) => (items.length ? h('section', null, h('h2', null, `${title} (${items.length})`), h('ul', { class: 'results' }, items)) : null);
    const blocks = [
      section(t('messages'), messages.map((m) => h('li', null, h('a', { href: `#/inbox/${m.conversationId}` }, mark(String(m.content ?? ''))), ' ', h('time', { class: 'muted' }, m.createdAt ? fmtTime(m.createdAt) : '')))),
      section(t('conversations'), conversations.map((c) => h('li', null, h('a', { href: `#/inbox/${c.id}` }, badge(c.channel ?? ''), ' ', c.contact?.name || t('anonymous'), ' — ', mark(String(c.lastMessage?.content ?? '')))))),
      section(t('contacts'), contacts.map((c) => h('li', null, h('strong', null, c.name || t('anonymous')), ' ', h('span', { class: 'muted' }, [c.email, c.phone].filter(Boolean).join(' · '))))),
    ].filter(Boolean);
    render(out, blocks.length ? blocks : h('p', { class: 'muted' }, t('noResults')));
  } catch (e) {
    render(out, h('p', { class: 'error' }, (e as Error).message));
  }
}
