// Entry of the agents' web app: session check, login, the shell (top bar + hash router),
// global keyboard shortcuts.
import { ApiError, get, patch, post, setCsrf, setOnUnauthorized } from './api.js';
import { h, isTyping, opt, render } from './dom.js';
import { getLocale, setLocale, t } from './i18n.js';
import { accountView } from './access.js';
import { adminView } from './admin.js';
import { inboxView, inboxShortcut } from './inbox.js';
import { reportsView } from './reports.js';
import { searchView } from './search.js';
import * as sse from './sse.js';
import { isManager, loadDirectory, state, type User } from './state.js';

const root = document.getElementById('app')!;

async function boot(): Promise<void> {
  setOnUnauthorized(() => showLogin());
  try {
    const s = await get<{ user: User; csrfToken: string | null }>('/api/v1/auth/session');
    await enter(s.user, s.csrfToken);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else render(root, h('p', { class: 'fatal' }, String((e as Error).message)));
  }
}

async function enter(user: User, csrf: string | null): Promise<void> {
  state.me = user;
  setCsrf(csrf);
  setLocale(user.locale === 'zh-CN' ? 'zh-CN' : 'en');
  await loadDirectory();
  sse.connect();
  if (!location.hash || location.hash === '#/login') location.hash = '#/inbox';
  route();
}

function showLogin(): void {
  sse.disconnect();
  state.me = null;
  setCsrf(null);
  const lang = (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  setLocale(lang);
  const error = h('p', { class: 'login-error', role: 'alert', hidden: true });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, placeholder: t('email') });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, placeholder: t('password') });
  const button = h('button', { type: 'submit', class: 'primary' }, t('logIn'));
  const form = h('form', {
    class: 'login-card', id: 'login-form',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      button.disabled = true;
      try {
        const r = await post<{ user: User; csrfToken: string }>('/api/v1/auth/login', { email: email.value, password: password.value });
        await enter(r.user, r.csrfToken);
      } catch (err) {
        error.hidden = false;
        error.textContent = err instanceof ApiError && err.status === 401 ? t('loginFailed') : (err as Error).message;
      } finally {
        button.disabled = false;
      }
    },
  }, h('h1', null, 'Parley'), h('p', { class: 'muted' }, t('tagline')),
  h('label', null, t('email'), email), h('label', null, t('password'), password), error, button);
  document.title = 'Parley';
  render(root, h('div', { class: 'login-page' }, form));
  email.focus();
}

async function logout(): Promise<void> {
  try { await post('/api/v1/auth/logout'); } catch { /* already gone */ }
  location.hash = '#/login';
  showLogin();
}

let searchInput: HTMLInputElement | null = null;
let liveDot: HTMLElement | null = null;
sse.onStatus((v) => { liveDot?.classList.toggle('on', v); if (liveDot) liveDot.title = v ? t('live') : t('offline'); });

function topbar(active: string): HTMLElement {
  const me = state.me!;
  const link = (hash: string, key: string, name: string) => h('a', { href: hash, class: active === name ? 'active' : '', 'data-nav': name }, t(key));
  searchInput = h('input', {
    type: 'search', id: 'search-box', placeholder: t('searchPlaceholder'), 'aria-label': t('search'),
    value: active === 'search' ? decodeURIComponent(location.hash.split('q=')[1] ?? '') : '',
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && searchInput!.value.trim()) location.hash = `#/search?q=${encodeURIComponent(searchInput!.value.trim())}`;
      if (e.key === 'Escape') searchInput!.blur();
    },
  });
  liveDot = h('span', { class: `live${sse.live ? ' on' : ''}`, id: 'live', title: sse.live ? t('live') : t('offline') });
  const lang = h('select', {
    id: 'locale-select', 'aria-label': t('language'),
    onchange: async () => {
      const user = await patch<User>('/api/v1/me', { locale: lang.value });
      state.me = { ...state.me!, ...user };
      setLocale(lang.value as 'en' | 'zh-CN');
      mounted = null;
      route();
    },
  }, opt('en', 'English', getLocale() === 'en'), opt('zh-CN', '简体中文', getLocale() === 'zh-CN'));
  // Auto-assignment only picks agents who are online.
  const avail = h('select', {
    id: 'availability', 'aria-label': t('availability'), class: `avail av-${me.availability ?? 'offline'}`,
    onchange: async () => {
      try {
        await post('/api/v1/me/availability', { availability: avail.value });
        state.me = { ...state.me!, availability: avail.value };
        avail.className = `avail av-${avail.value}`;
      } catch (e) { avail.value = state.me?.availability ?? 'offline'; alert((e as Error).message); }
    },
  }, ['online', 'busy', 'offline'].map((a) => opt(a, t(`av_${a}`), (me.availability ?? 'offline') === a)));
  return h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/inbox' }, 'Parley'),
    h('nav', null, link('#/inbox', 'inbox', 'inbox'), isManager() ? [link('#/reports', 'reports', 'reports'), link('#/admin/inboxes', 'admin', 'admin')] : null),
    searchInput,
    h('div', { class: 'me' }, liveDot, avail, lang, h('a', { class: `me-name${active === 'account' ? ' active' : ''}`, href: '#/account', id: 'account-link', title: me.email }, me.name),
      h('button', { class: 'link', id: 'logout', onclick: () => void logout() }, t('logOut'))));
}

let mounted: { name: string; main: HTMLElement } | null = null;

function route(): void {
  if (!state.me) return;
  const hash = location.hash || '#/inbox';
  const [path] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const name = parts[0] ?? 'inbox';
  document.documentElement.lang = getLocale();
  // The inbox keeps its list when only the open conversation changes.
  if (name === 'inbox' && mounted?.name === 'inbox' && root.querySelector('.topbar')) {
    inboxView(mounted.main, parts[1] ?? null, false);
    return;
  }
  const main = h('main', { class: `page page-${name}` });
  render(root, topbar(name), main);
  mounted = { name, main };
  if (name === 'reports') reportsView(main);
  else if (name === 'admin') adminView(main, parts[1] ?? 'inboxes', parts[2] ?? null);
  else if (name === 'account') accountView(main);
  else if (name === 'search') searchView(main, new URLSearchParams(hash.split('?')[1] ?? '').get('q') ?? '');
  else inboxView(main, parts[1] ?? null, true);
}

function shortcutsHelp(): void {
  const rows: [string, string][] = [['j / k', t('kNextPrev')], ['r', t('kReply')], ['n', t('kNote')], ['e', t('kResolve')], ['a', t('kAssignMe')], ['/', t('kSearch')], ['g i / g r', t('kGo')], ['?', t('kHelp')], ['Esc', t('kEscape')]];
  const overlay = h('div', { class: 'overlay', onclick: (e: Event) => { if (e.target === overlay) overlay.remove(); } },
    h('div', { class: 'dialog', role: 'dialog', 'aria-label': t('shortcuts') }, h('h2', null, t('shortcuts')),
      h('table', { class: 'shortcuts' }, rows.map(([k, d]) => h('tr', null, h('td', null, h('kbd', null, k)), h('td', null, d)))),
      h('button', { onclick: () => overlay.remove() }, t('close'))));
  document.body.append(overlay);
}

let pendingG = false;
document.addEventListener('keydown', (e) => {
  if (!state.me || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'Escape') {
    document.querySelector('.overlay')?.remove();
    (document.activeElement as HTMLElement | null)?.blur();
    return;
  }
  if (isTyping(e)) return;
  if (pendingG) {
    pendingG = false;
    if (e.key === 'i') location.hash = '#/inbox';
    else if (e.key === 'r') location.hash = '#/reports';
    return;
  }
  if (e.key === 'g') { pendingG = true; return; }
  if (e.key === '/') { e.preventDefault(); searchInput?.focus(); return; }
  if (e.key === '?') { shortcutsHelp(); return; }
  if (mounted?.name === 'inbox' && inboxShortcut(e.key)) e.preventDefault();
});

window.addEventListener('hashchange', route);
void boot();
