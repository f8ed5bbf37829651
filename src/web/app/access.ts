// Who may do what, and ending access: the admin's users page (role, disable/enable, a user's
// API tokens and sessions), the audit log, and everyone's own account page (password, sessions,
// API tokens).
import { del, get, patch, post, qs } from './api.js';
import { h, newestOnly, opt, render, type Child } from './dom.js';
import { form, secretBox, table } from './forms.js';
import { fmtTime, t } from './i18n.js';
import { toast } from './inbox.js';
import { isAdmin, loadDirectory, state } from './state.js';

interface TokenInfo { id: string; name: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; expired: boolean }
interface SessionItem { id: string; createdAt: string; expiresAt: string; userAgent: string | null; clientAddress: string | null; current: boolean }
interface AuditEntry { id: string; actor: { id: string; name: string | null; email: string | null } | null; action: string; targetType: string | null; targetId: string | null; details: Record<string, unknown> | null; clientAddress: string | null; createdAt: string }

const when = (iso: string | null) => (iso ? fmtTime(iso) : '—');
const ROLE_OPTIONS: [string, string][] = [['agent', 'role_agent'], ['lead', 'role_lead'], ['admin', 'role_admin']];

/** A user's API tokens: list, revoke, and (with an optional expiry) create. */
function tokensPanel(userId: string): HTMLElement {
  const el = h('div', { class: 'tokens', 'data-tokens': userId });
  const load = async () => {
    const { data } = await get<{ data: TokenInfo[] }>(`/api/v1/users/${userId}/tokens`);
    const out = h('div');
    const f = form([
      { name: 'name', label: t('tokenName'), required: true, placeholder: 'ci' },
      { name: 'expiresInDays', label: t('expiresInDays'), type: 'number', placeholder: t('never') },
    ], t('newToken'), async (v) => {
      const r = await post<{ token: string }>(`/api/v1/users/${userId}/tokens`, { name: v.name, ...(v.expiresInDays ? { expiresInDays: v.expiresInDays } : {}) });
      await load();
      el.append(h('div', { class: 'card ok', 'data-new-token': '' }, secretBox(t('apiTokenOnce'), r.token)));
    }, 'inline');
    render(el, table([t('tokenName'), t('created'), t('lastUsed'), t('expires'), ''], data.map((tk) => [tk.name, when(tk.createdAt), when(tk.lastUsedAt),
      h('span', { class: tk.expired ? 'error' : '' }, tk.expiresAt ? fmtTime(tk.expiresAt) : t('never')),
      h('button', { class: 'link danger', 'data-revoke': tk.id, onclick: async () => {
        if (!confirm(t('confirmRevoke'))) return;
        await del(`/api/v1/users/${userId}/tokens/${tk.id}`); toast(t('revoked')); void load();
      } }, t('revoke'))])), f, out);
  };
  void load().catch((e: Error) => render(el, h('p', { class: 'error' }, e.message)));
  return el;
}

/** Web sessions of a user (yourself: end one or all others; admin: end all of someone's). */
function sessionsPanel(userId: string, self: boolean): HTMLElement {
  const el = h('div', { class: 'sessions' });
  const load = async () => {
    const { data } = await get<{ data: SessionItem[] }>(self ? '/api/v1/me/sessions' : `/api/v1/users/${userId}/sessions`);
    const endAll = self
      ? h('button', { id: 'end-other-sessions', onclick: async () => { const r = await post<{ ended: number }>('/api/v1/me/sessions/end-others'); toast(`${t('sessionsEnded')}: ${r.ended}`); void load(); } }, t('endOtherSessions'))
      : h('button', { class: 'danger', onclick: async () => { const r = await del<{ ended: number }>(`/api/v1/users/${userId}/sessions`); toast(`${t('sessionsEnded')}: ${r.ended}`); void load(); } }, t('endAllSessions'));
    render(el, table([t('device'), t('address'), t('created'), t('expires'), ''], data.map((s) => [
      h('span', null, s.userAgent ?? '—', s.current ? h('strong', { class: 'badge' }, ` ${t('thisBrowser')}`) : null), s.clientAddress ?? '—', when(s.createdAt), when(s.expiresAt),
      self && !s.current ? h('button', { class: 'link danger', onclick: async () => { await del(`/api/v1/me/sessions/${encodeURIComponent(s.id)}`); void load(); } }, t('endSession')) : null])),
    data.length > (self ? 1 : 0) ? endAll : null);
  };
  void load().catch((e: Error) => render(el, h('p', { class: 'error' }, e.message)));
  return el;
}

// ---- users (admin section) ---------------------------------------------------------------------
export async function usersView(body: HTMLElement): Promise<void> {
  await loadDirectory();
  const out = h('div');
  const detail = h('div', { id: 'user-detail' });
  const f = form([
    { name: 'name', label: t('name'), required: true }, { name: 'email', label: t('email'), type: 'email', required: true },
    { name: 'role', label: t('role'), type: 'select', options: ROLE_OPTIONS.map(([v, k]) => [v, t(k)]), value: 'agent' },
    { name: 'password', label: t('password'), type: 'password', placeholder: t('min8') },
    { name: 'locale', label: t('language'), type: 'select', options: [['en', 'English'], ['zh-CN', '简体中文']] },
  ], t('create'), async (v) => {
    const u = await post<{ token: string; name: string }>('/api/v1/users', { ...v, password: v.password || undefined });
    render(out, h('div', { class: 'card ok' }, h('p', null, t('userCreated'), ': ', u.name), secretBox(t('apiTokenOnce'), u.token)));
    await list();
  });
  const listEl = h('div');
  const list = async () => {
    await loadDirectory();
    render(listEl, table([t('name'), t('email'), t('role'), t('language'), t('availability'), t('status'), ''], state.users.map((u) => {
      const self = u.id === state.me?.id;
      const role: Child = isAdmin() && !self
        ? h('select', { name: 'role', 'data-user': u.id, 'aria-label': t('role'), onchange: async (e: Event) => {
          const sel = e.target as HTMLSelectElement;
          try { await patch(`/api/v1/users/${u.id}`, { role: sel.value }); toast(t('saved')); } catch (x) { alert((x as Error).message); sel.value = u.role ?? 'agent'; }
        } }, ROLE_OPTIONS.map(([v, k]) => opt(v, t(k), u.role === v)))
        : t(`role_${u.role}`);
      const actions: Child = isAdmin() ? h('span', { class: 'row' },
        self ? null : h('button', { class: `link${u.disabledAt ? '' : ' danger'}`, 'data-toggle-user': u.id, onclick: async () => {
          if (!u.disabledAt && !confirm(t('confirmDisable'))) return;
          await post(`/api/v1/users/${u.id}/${u.disabledAt ? 'enable' : 'disable'}`); toast(t('saved')); await list();
        } }, u.disabledAt ? t('enable') : t('disable')),
        h('button', { class: 'link', 'data-access': u.id, onclick: () => render(detail, h('section', { class: 'card' },
          h('h2', null, u.name, ' — ', t('apiTokens')), tokensPanel(u.id), h('h2', null, t('sessions')), sessionsPanel(u.id, false))) }, t('access'))) : null;
      return [u.name, u.email ?? '', role, u.locale ?? '', u.availability ?? '',
        h('span', { class: u.disabledAt ? 'error' : '' }, u.disabledAt ? `${t('disabled')} ${fmtTime(u.disabledAt)}` : t('active')), actions];
    })));
  };
  await list();
  render(body, h('h1', null, t('admin_users')), listEl, detail, isAdmin() ? [h('h2', null, t('newUser')), f, out] : null);
}

// ---- audit log (admin section) --------------------------------------------------------------
export async function auditView(body: HTMLElement): Promise<void> {
  await loadDirectory();
  const rowsEl = h('tbody');
  const more = h('button', { id: 'audit-more', hidden: true }, t('loadMore'));
  const actor = h('select', { name: 'actorId', 'aria-label': t('actor') }, opt('', t('anyone')), state.users.map((u) => opt(u.id, u.name)));
  const action = h('input', { name: 'action', placeholder: 'user.*', 'aria-label': t('action') });
  const since = h('input', { name: 'since', type: 'date', 'aria-label': t('since') });
  let cursor: string | null = null;
  const describe = (e: AuditEntry) => Object.entries(e.details ?? {}).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ');
  // The old rows stay until the new answer arrives, and only the latest load may write: a
  // second filter submitted before the first answered must not get the first one's rows.
  const startLoad = newestOnly();
  const load = async (reset: boolean) => {
    const current = startLoad();
    rowsEl.setAttribute('aria-busy', 'true');
    // "Load more" would page through the old filter's rows meanwhile.
    if (reset) more.hidden = true;
    let r: { data: AuditEntry[]; nextCursor: string | null };
    try {
      r = await get(`/api/v1/audit-log${qs({ actorId: actor.value, action: action.value.trim(), since: since.value ? new Date(`${since.value}T00:00:00`).toISOString() : '', limit: 50, cursor: reset ? null : cursor })}`);
    } finally {
      if (current()) rowsEl.removeAttribute('aria-busy');
    }
    if (!current()) return;
    if (reset) rowsEl.replaceChildren();
    for (const e of r.data) {
      rowsEl.append(h('tr', { 'data-action': e.action }, h('td', null, fmtTime(e.createdAt)), h('td', null, e.actor ? e.actor.name ?? e.actor.id : 'CLI'),
        h('td', null, h('code', null, e.action)), h('td', null, e.targetType ? `${e.targetType} ${state.users.find((u) => u.id === e.targetId)?.name ?? e.targetId ?? ''}` : ''),
        h('td', { class: 'pre' }, describe(e)), h('td', null, e.clientAddress ?? '')));
    }
    if (!rowsEl.children.length) rowsEl.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, t('none'))));
    cursor = r.nextCursor;
    more.hidden = !cursor;
  };
  more.onclick = () => void load(false);
  const filters = h('form', { class: 'row audit-filters', id: 'audit-filters', onsubmit: (e: Event) => { e.preventDefault(); void load(true); } },
    actor, action, since, h('button', { type: 'submit' }, t('filter')));
  render(body, h('h1', null, t('admin_audit')), filters,
    h('table', { class: 'table', id: 'audit-table' }, h('thead', null, h('tr', null, [t('time'), t('actor'), t('action'), t('target'), t('details'), t('address')].map((x) => h('th', null, x)))), rowsEl), more);
  await load(true);
}

// ---- your account (everyone) ----------------------------------------------------------------------
export function accountView(main: HTMLElement): void {
  const me = state.me!;
  const pw = form([
    { name: 'currentPassword', label: t('currentPassword'), type: 'password', required: true },
    { name: 'newPassword', label: t('newPassword'), type: 'password', required: true, placeholder: t('min8') },
  ], t('changePassword'), async (v) => {
    const r = await post<{ endedSessions: number }>('/api/v1/me/password', v);
    toast(`${t('passwordChanged')} ${t('sessionsEnded')}: ${r.endedSessions}`);
    accountView(main);
  });
  render(main, h('div', { class: 'account' }, h('h1', null, t('account'), ': ', me.name),
    h('section', { class: 'card' }, h('h2', null, t('changePassword')), pw),
    h('section', { class: 'card' }, h('h2', null, t('sessions')), sessionsPanel(me.id, true)),
    h('section', { class: 'card' }, h('h2', null, t('apiTokens')), tokensPanel(me.id))));
}
