// The inbox: filters + conversation list (keyset "load more", live over SSE) and the open
// conversation (thread, composer with the `/` canned picker, actions, contact panel).
import { assistantBar } from './assistant.js';
import { ApiError, get, optional, post, postForm, qs } from './api.js';
import { debounce, h, newestOnly, opt, render, s, throttle } from './dom.js';
import { fmtTime, relTime, t } from './i18n.js';
import * as sse from './sse.js';
import { channelBadge, channelOf, inboxById, isPublicWidget, isManager, state, userName } from './state.js';
import { messageBody, messageExtras, originChip, type MsgExtras } from './message-extras.js';
import { replyBar } from './reply-bar.js';
import { takeDroppedFiles } from '../shared/file-drop.js';

interface Conv {
  id: string; inboxId: string; channel: string; status: string; subject: string | null; assigneeId: string | null; teamId: string | null;
  labels: string[]; contact: { id: string; name: string | null }; lastMessage: { content: string; direction: string; private?: boolean; createdAt: string | null } | null;
  lastActivityAt: string | null; unreadCount: number; snoozeUntil: string | null; sla?: { state: string; dueAt: string | null } | null;
  origin?: Record<string, unknown>;
  linkedConversationIds?: string[];
}
interface Attachment { id: string; name?: string; filename: string; contentType: string; size: number; url?: string | null; state?: string; kind?: string | null; error?: string | null }
interface Msg extends MsgExtras {
  id: string; conversationId: string; direction: 'in' | 'out'; private: boolean; content: string; sender: { type: 'contact' | 'user' | 'bot'; id: string | null };
  createdAt: string; deliveryStatus: string | null; error: string | null; attachments: Attachment[];
  unverifiedSender?: true;
  bulk?: true;
}

type Assignee = 'mine' | 'unassigned' | 'all';
interface Filters { assignee: Assignee; status: string; inboxId: string; teamId: string; label: string; sla: boolean }

const FILTER_KEY = 'parley.filters';
const loadFilters = (): Filters => {
  const d: Filters = { assignee: 'all', status: 'open', inboxId: '', teamId: '', label: '', sla: false };
  try { return { ...d, ...JSON.parse(localStorage.getItem(FILTER_KEY) ?? '{}') }; } catch { return d; }
};

const v = {
  filters: loadFilters(),
  items: [] as Conv[],
  nextCursor: null as string | null,
  selected: null as string | null,
  listEl: null as HTMLElement | null,
  convEl: null as HTMLElement | null,
  root: null as HTMLElement | null,
  conv: null as Conv | null,
  messages: [] as Msg[],
  threadEl: null as HTMLElement | null,
  composer: null as { textarea: HTMLTextAreaElement; setMode(m: 'reply' | 'note'): void } | null,
};

export const badge = (channel: string) => {
  const info = channelOf(channel);
  const el = h('span', { class: 'ch', title: info?.label ?? channel, 'data-channel': channel }, channelBadge(channel));
  // The connector declares its colour (CSSOM, not a style attribute: nothing is parsed as CSS).
  if (info && /^#[0-9a-f]{6}$/i.test(info.color)) el.style.backgroundColor = info.color;
  return el;
};

function query(cursor?: string | null, limit = 25) {
  const f = v.filters;
  return qs({
    assignee: f.assignee === 'mine' ? 'me' : f.assignee === 'unassigned' ? 'none' : undefined,
    status: f.status || undefined, inboxId: f.inboxId, teamId: f.teamId, label: f.label.trim(), sla: f.sla ? 'breached' : undefined,
    limit, cursor: cursor ?? undefined,
  });
}

const startListLoad = newestOnly();

async function loadList(reset: boolean): Promise<void> {
  const current = startListLoad();
  // A live refresh reloads as many rows as are shown, so "load more" pages stay.
  const limit = reset ? 25 : Math.min(100, Math.max(25, v.items.length));
  try {
    const page = await get<{ data: Conv[]; nextCursor: string | null }>(`/api/v1/conversations${query(null, limit)}`);
    if (!current()) return;
    v.items = page.data;
    v.nextCursor = page.nextCursor;
  } catch (e) {
    if (!current()) return;
    v.items = [];
    v.nextCursor = null;
    if (v.listEl) render(v.listEl, h('p', { class: 'error' }, (e as Error).message));
    return;
  }
  renderList();
}

async function loadMore(): Promise<void> {
  if (!v.nextCursor) return;
  const page = await get<{ data: Conv[]; nextCursor: string | null }>(`/api/v1/conversations${query(v.nextCursor)}`);
  const seen = new Set(v.items.map((c) => c.id));
  v.items.push(...page.data.filter((c) => !seen.has(c.id)));
  v.nextCursor = page.nextCursor;
  renderList();
}

function preview(c: Conv): string {
  const m = c.lastMessage;
  if (!m) return '';
  const prefix = m.private ? `${t('note')}: ` : m.direction === 'out' ? `${t('you')}: ` : '';
  return prefix + m.content.replace(/\s+/g, ' ').slice(0, 140);
}

function renderList(): void {
  if (!v.listEl) return;
  const items = v.items.map((c) => h('a', {
    class: `conv-item${c.id === v.selected ? ' active' : ''}${c.unreadCount ? ' unread' : ''}`, href: `#/inbox/${c.id}`, 'data-id': c.id,
  },
  badge(c.channel),
  h('div', { class: 'conv-main' },
    h('div', { class: 'conv-top' }, h('span', { class: 'conv-name' }, c.contact.name || t('anonymous')),
      h('time', { datetime: c.lastActivityAt ?? '', title: c.lastActivityAt ? fmtTime(c.lastActivityAt) : '' }, c.lastActivityAt ? relTime(c.lastActivityAt) : '')),
    h('div', { class: 'conv-preview' }, preview(c)),
    h('div', { class: 'conv-meta' },
      v.filters.status === '' || c.status !== v.filters.status ? h('span', { class: `status st-${c.status}` }, t(`st_${c.status}`)) : null,
      c.sla?.state === 'breached' ? h('span', { class: 'chip danger' }, t('slaBreached')) : c.sla?.state === 'warning' ? h('span', { class: 'chip warn' }, t('slaWarning')) : null,
      c.assigneeId ? h('span', { class: 'assignee' }, '→ ', c.assigneeId === state.me?.id ? t('me') : userName(c.assigneeId)) : null,
      c.labels.map((l) => h('span', { class: 'chip' }, l)))),
  c.unreadCount ? h('span', { class: 'unread-count', title: t('unread') }, String(c.unreadCount)) : null));
  render(v.listEl,
    items.length ? items : h('p', { class: 'empty' }, t('noConversations')),
    v.nextCursor ? h('button', { class: 'load-more', onclick: () => void loadMore() }, t('loadMore')) : null);
}

function filtersBar(): HTMLElement {
  const f = v.filters;
  const save = () => { localStorage.setItem(FILTER_KEY, JSON.stringify(f)); void loadList(true); };
  const tab = (a: Assignee, key: string) => h('button', {
    class: `tab${f.assignee === a ? ' active' : ''}`, 'data-filter': a, role: 'tab', 'aria-selected': String(f.assignee === a),
    onclick: (e: Event) => {
      f.assignee = a;
      (e.currentTarget as HTMLElement).parentElement!.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', (b as HTMLElement).dataset.filter === a));
      save();
    },
  }, t(key));
  const status = h('select', { name: 'status', 'aria-label': t('status'), onchange: () => { f.status = status.value; save(); } },
    ['open', 'pending', 'snoozed', 'resolved'].map((s) => opt(s, t(`st_${s}`), f.status === s)), opt('', t('allStatuses'), f.status === ''));
  const inbox = h('select', { name: 'inbox', 'aria-label': t('inbox'), onchange: () => { f.inboxId = inbox.value; save(); } },
    opt('', t('allInboxes'), !f.inboxId), state.inboxes.map((i) => opt(i.id, `${channelBadge(i.channel)} · ${i.name}`, f.inboxId === i.id)));
  const team = state.teams ? h('select', { name: 'team', 'aria-label': t('team'), onchange: () => { f.teamId = team!.value; save(); } },
    opt('', t('allTeams'), !f.teamId), state.teams.map((x) => opt(x.id, x.name, f.teamId === x.id))) : null;
  const labels = h('datalist', { id: 'label-options' });
  const label = h('input', { name: 'label', type: 'text', placeholder: t('label'), value: f.label, size: 8, 'aria-label': t('label'), list: 'label-options',
    oninput: debounce(() => { f.label = label.value; save(); }, 400),
    onfocus: async () => {
      const r = await optional<{ data: { label: string }[] }>('/api/v1/labels').catch(() => null);
      if (r) render(labels, r.data.map((x) => h('option', { value: x.label })));
    } });
  const sla = h('input', { type: 'checkbox', name: 'sla', checked: f.sla, onchange: () => { f.sla = sla.checked; save(); } });
  return h('div', { class: 'filters' },
    h('div', { class: 'tabs', role: 'tablist' }, tab('mine', 'mine'), tab('unassigned', 'unassigned'), tab('all', 'all')),
    h('div', { class: 'filter-row' }, status, inbox, team, label, labels, h('label', { class: 'check' }, sla, t('slaBreached'))));
}

export function inboxView(main: HTMLElement, convId: string | null, fresh: boolean): void {
  if (fresh || !v.root || !main.contains(v.root)) {
    v.listEl = h('div', { class: 'conv-list', id: 'conv-list' });
    v.convEl = h('section', { class: 'conv-pane', id: 'conv-pane' });
    v.root = h('div', { class: 'inbox' }, h('aside', { class: 'list-pane' }, filtersBar(), v.listEl), v.convEl);
    render(main, v.root);
    v.selected = convId;
    void loadList(true);
  }
  v.selected = convId;
  v.root.classList.toggle('has-conv', Boolean(convId));
  v.listEl?.querySelectorAll('.conv-item').forEach((el) => el.classList.toggle('active', (el as HTMLElement).dataset.id === convId));
  document.title = 'Parley';
  if (convId) void openConversation(convId);
  else if (v.convEl) { v.conv = null; render(v.convEl, h('div', { class: 'placeholder' }, h('p', null, t('pickConversation')), h('p', { class: 'muted' }, t('shortcutHint')))); }
}

// ---- live updates ----------------------------------------------------------------------
const refreshList = throttle(() => { if (v.listEl && document.contains(v.listEl)) void loadList(false); }, 500);
const refreshConv = debounce(async (id: string) => {
  if (v.conv?.id !== id) return;
  try {
    const conv = await get<Conv>(`/api/v1/conversations/${id}`);
    // The agent may have opened another conversation while this answer was on its way.
    if (v.conv?.id !== id) return;
    v.conv = conv;
    renderConvHeader();
  } catch { /* gone */ }
}, 150);

sse.onEvent((type, data) => {
  if (type === 'mention' && data.conversationId) {
    toast(`${userName(data.by) || t('someone')} ${t('mentionedYou')}: ${String(data.excerpt ?? '').slice(0, 80)}`, false, `#/inbox/${data.conversationId}`);
  }
  if (type.startsWith('conversation.') || type === 'message.created' || type.startsWith('sla.')) refreshList();
  const cid = data.conversationId as string | undefined;
  if (!cid || cid !== v.conv?.id) return;
  if (type === 'message.created' || type === 'message.updated') upsertMessage(data.message as Msg);
  // The agent is looking at it: a new customer message is read already.
  if (type === 'message.created' && data.message?.direction === 'in' && document.visibilityState === 'visible') {
    void post(`/api/v1/conversations/${cid}/read`).then(() => refreshList()).catch(() => {});
  }
  if (type.startsWith('conversation.') || type.startsWith('sla.')) refreshConv(cid);
});

// ---- the open conversation ------------------------------------------------------------
let headerEl: HTMLElement | null = null;
let sideEl: HTMLElement | null = null;

async function openConversation(id: string): Promise<void> {
  if (!v.convEl) return;
  if (v.conv?.id === id && v.convEl.querySelector('.thread')) return;
  render(v.convEl, h('p', { class: 'muted pad' }, t('loading')));
  let conv: Conv;
  let messages: Msg[] = [];
  try {
    conv = await get<Conv>(`/api/v1/conversations/${id}`);
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: { data: Msg[]; nextCursor: string | null } = await get(`/api/v1/conversations/${id}/messages${qs({ limit: 100, cursor })}`);
      messages.push(...page.data);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
  } catch (e) {
    render(v.convEl, h('p', { class: 'error pad' }, (e as Error).message));
    return;
  }
  if (v.selected !== id) return;
  v.conv = conv;
  v.messages = messages;
  // Opening marks it read (a POST: GETs change nothing); the list shows it without waiting for an event.
  const item = v.items.find((c) => c.id === id);
  if (conv.unreadCount || item?.unreadCount) void post(`/api/v1/conversations/${id}/read`).catch(() => {});
  if (item && item.unreadCount) { item.unreadCount = 0; renderList(); }
  headerEl = h('div', { class: 'conv-header' });
  v.threadEl = h('div', { class: 'thread', id: 'thread', 'aria-live': 'polite' });
  sideEl = h('aside', { class: 'side-pane', id: 'side-pane' });
  const composer = composerView(conv);
  render(v.convEl, h('div', { class: 'conv-body' }, headerEl, v.threadEl, composer), sideEl);
  renderConvHeader();
  renderThread();
  void renderSide(conv);
}

function renderConvHeader(): void {
  const c = v.conv;
  if (!c || !headerEl) return;
  const inbox = inboxById(c.inboxId);
  const assign = h('select', {
    name: 'assignee', 'aria-label': t('assignee'),
    onchange: () => void act(() => post(`/api/v1/conversations/${c.id}/assign`, { assigneeId: assign.value || null })),
  }, opt('', t('unassigned'), !c.assigneeId),
  (isManager() ? state.users.filter((u) => !u.disabledAt || u.id === c.assigneeId) : state.users.filter((u) => u.id === state.me!.id || u.id === c.assigneeId))
    .map((u) => opt(u.id, u.id === state.me!.id ? `${u.name} (${t('me')})` : u.name, c.assigneeId === u.id)));
  const team = state.teams && isManager() ? h('select', {
    name: 'team', 'aria-label': t('team'),
    onchange: () => void act(() => post(`/api/v1/conversations/${c.id}/assign`, { teamId: team!.value || null })),
  }, opt('', t('noTeam'), !c.teamId), state.teams.map((x) => opt(x.id, x.name, c.teamId === x.id))) : null;
  const snooze = h('select', {
    name: 'snooze', 'aria-label': t('snooze'),
    onchange: () => {
      const until = snoozeTime(snooze.value);
      if (until) void act(() => post(`/api/v1/conversations/${c.id}/status`, { status: 'snoozed', snoozeUntil: until.toISOString() }));
    },
  }, opt('', `${t('snooze')}…`, true), opt('1h', t('snooze1h')), opt('4h', t('snooze4h')), opt('tomorrow', t('snoozeTomorrow')), opt('week', t('snoozeNextWeek')));
  const labelInput = h('input', {
    class: 'label-input', placeholder: `+ ${t('label')}`, size: 8, 'aria-label': t('addLabel'),
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && labelInput.value.trim()) void act(() => post(`/api/v1/conversations/${c.id}/labels`, { labels: [...c.labels, labelInput.value.trim()] }));
    },
  });
  render(headerEl,
    h('div', { class: 'conv-title' },
      h('a', { class: 'back', href: '#/inbox', 'aria-label': t('back') }, '←'),
      badge(c.channel), h('h2', null, c.contact.name || t('anonymous')),
      h('span', { class: `status st-${c.status}`, id: 'conv-status' }, t(`st_${c.status}`)),
      c.status === 'snoozed' && c.snoozeUntil ? h('span', { class: 'muted' }, t('until'), ' ', fmtTime(c.snoozeUntil)) : null,
      c.sla && c.sla.state !== 'ok' ? h('span', { class: `chip ${c.sla.state === 'breached' ? 'danger' : 'warn'}` }, t(c.sla.state === 'breached' ? 'slaBreached' : 'slaWarning')) : null,
      h('span', { class: 'muted inbox-name' }, inbox?.name ?? ''),
      originChip(c.origin),
      (c.linkedConversationIds ?? []).map((id) => h('a', { class: 'chip linked-conv', href: `#/inbox/${id}`, 'data-linked': id }, '↪ ', t('linkedConversation'))),
      h('button', { class: 'link info-toggle', onclick: () => v.convEl?.classList.toggle('show-side') }, t('details'))),
    h('div', { class: 'actions' },
      h('button', { id: 'assign-me', disabled: c.assigneeId === state.me!.id, onclick: () => void assignToMe() }, t('assignToMe')),
      assign, team,
      c.status === 'resolved'
        ? h('button', { id: 'reopen', onclick: () => void act(() => post(`/api/v1/conversations/${c.id}/status`, { status: 'open' })) }, t('reopen'))
        : h('button', { id: 'resolve', class: 'primary', onclick: () => void resolve() }, t('resolve')),
      c.status !== 'pending' && c.status !== 'resolved' ? h('button', { onclick: () => void act(() => post(`/api/v1/conversations/${c.id}/status`, { status: 'pending' })) }, t('markPending')) : null,
      snooze,
      h('span', { class: 'labels' }, c.labels.map((l) => h('span', { class: 'chip' }, l,
        h('button', { class: 'x', 'aria-label': `${t('remove')} ${l}`, onclick: () => void act(() => post(`/api/v1/conversations/${c.id}/labels`, { labels: c.labels.filter((x) => x !== l) })) }, '×'))), labelInput)));
}

function snoozeTime(kind: string): Date | null {
  const d = new Date();
  if (kind === '1h') return new Date(d.getTime() + 3_600_000);
  if (kind === '4h') return new Date(d.getTime() + 4 * 3_600_000);
  if (kind === 'tomorrow') { d.setDate(d.getDate() + 1); d.setHours(9, 0, 0, 0); return d; }
  if (kind === 'week') { d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7)); d.setHours(9, 0, 0, 0); return d; }
  return null;
}

async function act(fn: () => Promise<unknown>): Promise<void> {
  try {
    const r = await fn();
    // Action answers are the plain conversation view; the links come with GET /conversations/:id.
    if (r && typeof r === 'object' && 'status' in r && 'inboxId' in r) {
      // An answer about a conversation the agent has since left must not take over the header.
      if ((r as Conv).id !== v.conv?.id) { refreshList(); return; }
      v.conv = { linkedConversationIds: v.conv?.linkedConversationIds, ...(r as Conv) };
    }
    renderConvHeader();
    refreshList();
  } catch (e) {
    toast((e as Error).message, true);
    renderConvHeader();
  }
}

const assignToMe = () => (v.conv ? act(() => post(`/api/v1/conversations/${v.conv!.id}/assign`, { assigneeId: state.me!.id })) : Promise.resolve());
const resolve = () => (v.conv && v.conv.status !== 'resolved' ? act(() => post(`/api/v1/conversations/${v.conv!.id}/status`, { status: 'resolved' })) : Promise.resolve());

function senderName(m: Msg): string {
  if (m.sender.type === 'contact') return v.conv?.contact.name || t('customer');
  if (m.sender.type === 'bot') return t('bot');
  return m.sender.id === state.me?.id ? t('you') : userName(m.sender.id);
}

/** The chip's tooltip: why it counts as mass mail, and which list. */
function bulkHint(m: Msg): string {
  const b = m.meta?.bulk as { reason?: string; listId?: string } | undefined;
  return [t('bulkMailHint'), b?.listId, b?.reason].filter(Boolean).join(' · ');
}

function messageEl(m: Msg): HTMLElement {
  const cls = m.private ? 'note' : m.direction;
  const status = m.direction === 'out' && !m.private ? h('span', { class: `delivery ds-${m.deliveryStatus}` }, t(`ds_${m.deliveryStatus}`)) : null;
  return h('div', { class: `msg ${cls}`, 'data-id': m.id, id: `m-${m.id}` },
    h('div', { class: 'msg-head' }, h('strong', null, senderName(m)), m.private ? h('span', { class: 'chip note-chip' }, t('privateNote')) : null,
      h('time', { datetime: m.createdAt }, fmtTime(m.createdAt)), status,
      m.unverifiedSender ? h('span', { class: 'chip unverified-chip', title: t('unverifiedSenderHint') }, t('unverifiedSender')) : null,
      m.bulk ? h('span', { class: 'chip bulk-chip', title: bulkHint(m) }, t('bulkMail')) : null),
    messageBody(m),
    messageExtras(m),
    m.attachments?.length ? h('ul', { class: 'attachments' }, m.attachments.map((a) => h('li', null, attachmentEl(a)))) : null,
    m.deliveryStatus === 'failed' || m.deliveryStatus === 'unknown' ? h('div', { class: 'msg-error' }, h('span', null, t(m.deliveryStatus === 'failed' ? 'failed' : 'unknownOutcome'), ': ', m.error ?? ''),
      h('button', { class: 'retry', onclick: () => void retry(m) }, t('retry'))) : null);
}

/** Images and stickers inline (click to enlarge), audio and video playable, other files as downloads; pending/refused say so. */
function attachmentEl(a: Attachment): HTMLElement {
  const url = `/api/v1/attachments/${encodeURIComponent(a.id)}`;
  const name = a.name ?? a.filename;
  if (a.state === 'pending') return h('span', { class: 'att-pending muted' }, name, ' — ', t('attachmentPending'));
  if (a.state === 'refused' || a.state === 'failed') return h('span', { class: 'att-refused', title: a.error ?? '' }, name, ': ', a.error ?? '');
  if (a.kind === 'image' || a.kind === 'sticker') {
    return h('img', { class: `att-img${a.kind === 'sticker' ? ' sticker' : ''}`, src: url, alt: name, loading: 'lazy', onclick: () => enlarge(url, name) });
  }
  if (a.kind === 'audio' || a.kind === 'voice') return h('audio', { class: 'att-audio', controls: true, preload: 'metadata', src: url });
  if (a.kind === 'video') return h('video', { class: 'att-video', controls: true, preload: 'metadata', src: url });
  return h('a', { class: 'att-file', href: `${url}?download=1`, download: name, target: '_blank', rel: 'noopener' }, clipIcon(), ' ', name, ` (${fmtSize(a.size)})`);
}

const clipIcon = () => s('svg', { viewBox: '0 0 24 24', width: 16, height: 16, 'aria-hidden': 'true', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round' },
  s('path', { d: 'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5' }));

function enlarge(url: string, name: string): void {
  const close = () => overlay.remove();
  const overlay = h('div', { class: 'lightbox', role: 'dialog', 'aria-label': name, onclick: close }, h('img', { src: url, alt: name }));
  document.addEventListener('keydown', function esc(e) { if (e.key === 'Escape') { close(); document.removeEventListener('keydown', esc); } });
  document.body.append(overlay);
}

const fmtSize = (n: number) => (n > 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n > 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);

async function retry(m: Msg): Promise<void> {
  try { upsertMessage(await post<Msg>(`/api/v1/messages/${m.id}/retry`)); } catch (e) { toast((e as Error).message, true); }
}

function renderThread(): void {
  if (!v.threadEl) return;
  render(v.threadEl, v.messages.length ? v.messages.map(messageEl) : h('p', { class: 'muted' }, t('noMessages')));
  v.threadEl.scrollTop = v.threadEl.scrollHeight;
}

function upsertMessage(m: Msg): void {
  if (!m || m.conversationId !== v.conv?.id || !v.threadEl) return;
  const i = v.messages.findIndex((x) => x.id === m.id);
  if (i >= 0) {
    v.messages[i] = m;
    v.threadEl.querySelector(`[data-id="${CSS.escape(m.id)}"]`)?.replaceWith(messageEl(m));
    return;
  }
  v.messages.push(m);
  const atBottom = v.threadEl.scrollHeight - v.threadEl.scrollTop - v.threadEl.clientHeight < 80;
  v.threadEl.querySelector('p.muted')?.remove();
  v.threadEl.append(messageEl(m));
  if (atBottom || m.direction === 'out') v.threadEl.scrollTop = v.threadEl.scrollHeight;
}

// ---- composer with the `/` canned-response picker ------------------------------------------
interface Canned { id: string; shortCode: string; content: string }

const drafts = new Map<string, string>();

function composerView(conv: Conv): HTMLElement {
  let mode: 'reply' | 'note' = 'reply';
  const textarea = h('textarea', { id: 'reply-box', rows: 3, placeholder: t('replyPlaceholder'), 'aria-label': t('reply'), value: drafts.get(conv.id) ?? '' });
  // Switching conversations keeps what was typed in each.
  textarea.addEventListener('input', () => { if (textarea.value) drafts.set(conv.id, textarea.value); else drafts.delete(conv.id); });
  const picker = h('ul', { class: 'picker', id: 'canned-picker', role: 'listbox', hidden: true });
  const replyTab = h('button', { type: 'button', class: 'tab active', id: 'mode-reply', onclick: () => setMode('reply') }, t('reply'));
  const noteTab = h('button', { type: 'button', class: 'tab', id: 'mode-note', onclick: () => setMode('note') }, t('privateNote'));
  const send = h('button', { type: 'submit', class: 'primary', id: 'send' }, t('send'));
  const latestCustomer = () => [...v.messages].reverse().find((m) => m.direction === 'in' && !m.private)?.id ?? null;
  // Outside the channel's window: the notice, templates and "continue on" (reply-bar.ts).
  const bar = replyBar(conv, () => textarea.value, (m) => upsertMessage(m as Msg), (msg) => toast(msg, true));
  // Files for the next message: the attach button, paste (a screenshot) or drag-and-drop; previews with per-file removal.
  let files: File[] = [];
  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, id: 'attach-input', onchange: () => { addFiles(fileInput.files ?? []); fileInput.value = ''; } });
  const attach = h('button', { type: 'button', class: 'attach', id: 'attach', title: t('attach'), 'aria-label': t('attach'), onclick: () => fileInput.click() }, clipIcon());
  const tray = h('ul', { class: 'file-tray', id: 'file-tray' });
  const renderTray = () => render(tray, files.map((f, i) => h('li', { class: 'file-chip' },
    f.type.startsWith('image/') ? h('img', { src: URL.createObjectURL(f), alt: '' }) : null,
    h('span', null, `${f.name || 'image.png'} (${fmtSize(f.size)})`),
    h('button', { type: 'button', class: 'remove-file', 'aria-label': t('remove'), onclick: () => { files.splice(i, 1); renderTray(); } }, '×'))));
  const addFiles = (list: Iterable<File>) => { files = [...files, ...list].slice(0, 10); renderTray(); };
  const form = h('form', { class: 'composer', onsubmit: (e: Event) => { e.preventDefault(); void submit(); } },
    h('div', { class: 'tabs' }, replyTab, noteTab), bar.el, assistantBar(conv.id, textarea, latestCustomer), picker, textarea, tray,
    h('div', { class: 'composer-foot' }, attach, fileInput, h('span', { class: 'muted hint' }, t('composerHint')), send));
  takeDroppedFiles(textarea, form, addFiles);
  function setMode(m: 'reply' | 'note') {
    mode = m;
    form.classList.toggle('note-mode', m === 'note');
    replyTab.classList.toggle('active', m === 'reply');
    noteTab.classList.toggle('active', m === 'note');
    textarea.placeholder = m === 'note' ? t('notePlaceholder') : t('replyPlaceholder');
    send.textContent = m === 'note' ? t('addNote') : t('send');
  }
  async function submit() {
    const content = textarea.value.trim();
    if (!content && !files.length) return;
    if (mode === 'reply' && !bar.freeText()) { toast(t('windowClosed'), true); return; }
    send.disabled = true;
    try {
      let m: Msg;
      if (files.length) {
        const fd = new FormData();
        fd.append('content', content);
        fd.append('private', mode === 'note' ? 'true' : 'false');
        for (const f of files) fd.append('files', f, f.name || 'image.png');
        m = await postForm<Msg>(`/api/v1/conversations/${conv.id}/messages`, fd);
        files = [];
        renderTray();
      } else m = await post<Msg>(`/api/v1/conversations/${conv.id}/messages`, { content, private: mode === 'note' });
      textarea.value = '';
      drafts.delete(conv.id);
      upsertMessage(m);
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), true);
    } finally {
      send.disabled = false;
    }
  }

  let items: Canned[] = [];
  let sel = 0;
  let slash: { start: number; end: number } | null = null;
  const closePicker = () => { picker.hidden = true; items = []; slash = null; };
  const showPicker = () => {
    render(picker, items.length ? items.map((c, i) => h('li', {
      class: i === sel ? 'sel' : '', role: 'option', 'data-code': c.shortCode,
      onmousedown: (e: Event) => { e.preventDefault(); void choose(c); },
    }, h('strong', null, `/${c.shortCode}`), ' ', h('span', { class: 'muted' }, c.content.slice(0, 80)))) : h('li', { class: 'muted' }, t('noCanned')));
    picker.hidden = false;
  };
  const search = debounce(async (term: string) => {
    const r = await optional<{ data: Canned[] }>(`/api/v1/canned-responses${qs({ q: term, limit: 8 })}`).catch(() => null);
    if (!slash) return;
    if (!r) { closePicker(); return; }
    items = r.data.slice(0, 8);
    sel = 0;
    showPicker();
  }, 120);
  async function choose(c: Canned) {
    if (!slash) return;
    const range = slash;
    closePicker();
    let content = c.content;
    try {
      const r = await optional<{ content: string }>(`/api/v1/conversations/${conv.id}/canned-responses/${encodeURIComponent(c.shortCode)}/render`);
      if (r) content = r.content;
    } catch { /* fall back to the raw text */ }
    textarea.value = textarea.value.slice(0, range.start) + content + textarea.value.slice(range.end);
    textarea.focus();
    const pos = range.start + content.length;
    textarea.setSelectionRange(pos, pos);
  }
  textarea.addEventListener('input', () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const m = /(^|\s)\/([^\s/]*)$/.exec(before);
    if (!m) { closePicker(); return; }
    slash = { start: before.length - m[2].length - 1, end: textarea.selectionStart };
    search(m[2]);
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.isComposing) return; // Enter confirms a Chinese IME candidate, it must not pick or send.
    if (!picker.hidden && items.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); sel = (sel + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length; showPicker(); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); void choose(items[sel]); return; }
    }
    if (e.key === 'Escape') { if (!picker.hidden) { e.stopPropagation(); closePicker(); } return; }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void submit(); }
  });
  textarea.addEventListener('blur', () => setTimeout(closePicker, 150));
  v.composer = { textarea, setMode };
  return form;
}

// ---- the side panel: contact, previous conversations, suggested answers ---------------------
async function renderSide(conv: Conv): Promise<void> {
  const el = sideEl;
  if (!el) return;
  const [contact, suggestions, target] = await Promise.all([
    optional<any>(`/api/v1/contacts/${conv.contact.id}`).catch(() => null),
    optional<any>(`/api/v1/conversations/${conv.id}/suggestions`).catch(() => null),
    isPublicWidget(conv.channel) ? null : optional<{ externalId: string }>(`/api/v1/conversations/${conv.id}/reply-target`).catch(() => null),
  ]);
  if (v.conv?.id !== conv.id) return;
  const section = (title: string, ...body: (Node | null)[]) => h('section', { class: 'panel' }, h('h3', null, title), ...body);
  // Where replies go is the conversation's own address, not the editable contact fields; only
  // leads and admins change it (audited).
  const replyTo = target ? h('p', { class: 'reply-target', id: 'reply-target' }, `${t('repliesGoTo')}: `, h('strong', null, target.externalId), ' ',
    isManager() ? h('button', { class: 'link', onclick: async () => {
      const next = prompt(t('newReplyTarget'), target.externalId);
      if (!next || next.trim() === target.externalId) return;
      try { await post(`/api/v1/conversations/${conv.id}/reply-target`, { externalId: next.trim() }); toast(t('saved')); void renderSide(conv); } catch (e) { alert((e as Error).message); }
    } }, t('changeReplyTarget')) : null) : null;
  const contactPanel = section(t('contact'),
    h('p', { class: 'contact-name' }, contact?.name || conv.contact.name || t('anonymous')),
    replyTo,
    contact?.email ? h('p', null, '✉ ', contact.email) : null,
    contact?.phone ? h('p', null, '☎ ', contact.phone) : null,
    contact?.identities?.length ? h('ul', { class: 'identities' }, contact.identities.map((i: any) => h('li', { title: i.externalId }, badge(i.channel), ' ',
      i.handle || (isPublicWidget(i.channel) ? t('webVisitor') : i.externalId)))) : null,
    contact?.attributes && Object.keys(contact.attributes).length ? h('dl', { class: 'attributes' },
      Object.entries(contact.attributes).map(([k, val]) => [h('dt', null, k), h('dd', null, typeof val === 'object' ? JSON.stringify(val) : String(val))])) : null);
  const previous = (contact?.conversations ?? []).filter((c: any) => c.id !== conv.id);
  const prevPanel = contact ? section(t('previousConversations'), previous.length
    ? h('ul', { class: 'previous' }, previous.slice(0, 20).map((c: any) => h('li', null, h('a', { href: `#/inbox/${c.id}` }, badge(c.channel ?? ''), ' ', c.lastMessage?.content?.slice(0, 60) ?? c.subject ?? c.id),
      ' ', h('span', { class: `status st-${c.status}` }, t(`st_${c.status}`)))))
    : h('p', { class: 'muted' }, t('none'))) : null;
  const arts: any[] = suggestions?.articles ?? [];
  const canned: any[] = suggestions?.cannedResponses ?? [];
  const cases: any[] = suggestions?.similarConversations ?? [];
  const insert = (text: string) => { if (v.composer) { v.composer.textarea.value = (v.composer.textarea.value ? `${v.composer.textarea.value}\n` : '') + text; v.composer.textarea.focus(); } };
  const suggestPanel = suggestions && (arts.length || canned.length) ? section(t('suggested'),
    h('ul', { class: 'suggestions', id: 'suggestions' },
      arts.map((a) => h('li', null, h('strong', null, a.title), h('p', { class: 'muted' }, String(a.body ?? '').slice(0, 160)), h('button', { class: 'link', onclick: () => insert(a.body ?? a.title) }, t('insert')))),
      canned.map((c) => h('li', null, h('strong', null, `/${c.shortCode}`), h('p', { class: 'muted' }, String(c.content).slice(0, 160)), h('button', { class: 'link', onclick: () => insert(c.content) }, t('insert')))))) : null;
  const casesPanel = cases.length ? section(t('similarResolved'), h('ul', { class: 'suggestions', id: 'similar-cases' }, cases.map((c) => h('li', null,
    h('a', { href: `#/inbox/${c.conversationId}` }, String(c.question).slice(0, 80)),
    c.answer ? h('p', { class: 'muted' }, String(c.answer).slice(0, 160)) : null,
    c.answer ? h('button', { class: 'link', onclick: () => insert(c.answer) }, t('insert')) : null)))) : null;
  render(el, contactPanel, suggestPanel, casesPanel, prevPanel);
}

// ---- shortcuts and toasts ------------------------------------------------------------------
export function inboxShortcut(key: string): boolean {
  if (key === 'j' || key === 'k') {
    if (!v.items.length) return false;
    const i = v.items.findIndex((c) => c.id === v.selected);
    const next = key === 'j' ? Math.min(v.items.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
    location.hash = `#/inbox/${v.items[next].id}`;
    return true;
  }
  if (!v.conv || !v.composer) return false;
  if (key === 'r' || key === 'n') { v.composer.setMode(key === 'r' ? 'reply' : 'note'); v.composer.textarea.focus(); return true; }
  if (key === 'e') { void resolve(); return true; }
  if (key === 'a') { void assignToMe(); return true; }
  return false;
}

export function toast(text: string, error = false, href?: string): void {
  const el = href ? h('a', { class: 'toast', role: 'status', href }, text) : h('div', { class: `toast${error ? ' error' : ''}`, role: 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 5000);
}
