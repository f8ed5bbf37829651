// Admin pages: inboxes (with the webhook URL, widget snippet, SLA / business hours / automation
// settings, members), users (access.ts), teams, canned responses, FAQ, outgoing webhooks, the
// audit log (access.ts). Sections whose
// endpoint this build lacks say so instead of failing.
import { api, del, get, optional, patch, post } from './api.js';
import { h, opt, render, type Child } from './dom.js';
import { auditView, usersView } from './access.js';
import { form, secretBox, table, unavailable } from './forms.js';
import { fmtTime, t } from './i18n.js';
import { badge, toast } from './inbox.js';
import { historyFields, importCard } from './import-card.js';
import { channelOf, channelTakes, isAdmin, loadDirectory, state, type Inbox } from './state.js';

const SECTIONS = ['inboxes', 'users', 'teams', 'canned', 'faq', 'assistant', 'webhooks', 'audit'] as const;
/** Sections only admins may open (the API answers others 403). */
const ADMIN_ONLY = new Set<string>(['audit']);

export function adminView(main: HTMLElement, section: string, id: string | null): void {
  const body = h('div', { class: 'admin-body', id: 'admin-body' });
  render(main, h('div', { class: 'admin' },
    h('nav', { class: 'admin-nav' }, SECTIONS.filter((s) => isAdmin() || !ADMIN_ONLY.has(s)).map((s) => h('a', { href: `#/admin/${s}`, class: s === section ? 'active' : '' }, t(`admin_${s}`)))),
    body));
  const view = { inboxes: id ? () => inboxDetail(body, id) : () => inboxesView(body), users: () => usersView(body), teams: () => teamsView(body), canned: () => cannedView(body), faq: () => faqView(body), assistant: () => assistantView(body), webhooks: () => webhooksView(body), audit: () => auditView(body) }[section as (typeof SECTIONS)[number]];
  (view ?? (() => inboxesView(body)))().catch((e: Error) => render(body, h('p', { class: 'error' }, e.message)));
}

// ---- inboxes ---------------------------------------------------------------------------------
async function inboxesView(body: HTMLElement): Promise<void> {
  await loadDirectory();
  const result = h('div', { id: 'inbox-created' });
  // The channels and their starting configs are the server's registry (GET /api/v1/channels).
  const channel = h('select', { name: 'channel', id: 'new-inbox-channel' }, state.channels.map((c) => opt(c.kind, `${c.label} (${c.kind})`)));
  const name = h('input', { name: 'name', required: true, placeholder: t('name') });
  const config = h('textarea', { name: 'config', rows: 8, class: 'mono' }, '{}');
  const err = h('p', { class: 'error', hidden: true });
  const history = historyFields();
  channel.onchange = () => { config.value = JSON.stringify(channelOf(channel.value)?.configTemplate ?? {}, null, 2); history.el.hidden = !channelTakes(channel.value, 'importHistory'); };
  const create = h('form', {
    class: 'form', id: 'new-inbox',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      err.hidden = true;
      try {
        const cfg = history.apply(JSON.parse(config.value || '{}'), channelTakes(channel.value, 'importHistory'));
        const inbox = await post<Inbox>('/api/v1/inboxes', { name: name.value, channel: channel.value, config: cfg });
        render(result, h('div', { class: 'card ok' }, h('h3', null, t('inboxCreated'), ': ', inbox.name),
          inbox.webhookUrl ? secretBox(t('webhookUrl'), inbox.webhookUrl) : null,
          inbox.widgetSnippet ? secretBox(t('widgetSnippet'), inbox.widgetSnippet) : null,
          h('a', { href: `#/admin/inboxes/${inbox.id}` }, t('settings'))));
        await loadDirectory();
        renderList();
      } catch (x) { err.hidden = false; err.textContent = x instanceof SyntaxError ? `config: ${x.message}` : (x as Error).message; }
    },
  }, h('label', null, t('name'), name), h('label', null, t('channel'), channel), h('label', null, t('configJson'), config), history.el, err, h('button', { class: 'primary', type: 'submit' }, t('create')));
  const list = h('div');
  const renderList = () => render(list, table([t('name'), t('channel'), t('health'), ''], state.inboxes.map((i) => [
    i.name, badge(i.channel), i.health === 'ok' ? t('healthOk') : h('span', { class: 'error' }, i.healthError ?? i.health), h('a', { href: `#/admin/inboxes/${i.id}` }, t('settings'))])));
  renderList();
  render(body, h('h1', null, t('admin_inboxes')), list, isAdmin() ? [h('h2', null, t('newInbox')), create, result] : null);
}

/** Empty fields are left out rather than saved as "" or null. */
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== '' && !(typeof x === 'number' && Number.isNaN(x))));

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

async function inboxDetail(body: HTMLElement, id: string): Promise<void> {
  const inbox = await get<Inbox>(`/api/v1/inboxes/${id}`);
  const s = inbox.settings ?? {};
  const members = await get<{ userIds: string[] }>(`/api/v1/inboxes/${id}/members`);
  const save = async (settings: Record<string, unknown>) => {
    await patch(`/api/v1/inboxes/${id}`, { settings });
    toast(t('saved'));
  };
  const sla = s.sla ?? {};
  const bh = s.businessHours ?? {};
  const weekly: Record<string, [string, string][]> = bh.weekly ?? {};
  const hoursText = (d: string) => (weekly[d] ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
  const parseHours = (txt: string) => txt.split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
    const m = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(x);
    if (!m) throw new Error(`${t('badHours')}: ${x}`);
    return [m[1].padStart(5, '0'), m[2].padStart(5, '0')];
  });
  const slaForm = form([
    { name: 'firstReplyMinutes', label: t('firstReplyMinutes'), type: 'number', value: sla.firstReplyMinutes },
    { name: 'nextReplyMinutes', label: t('nextReplyMinutes'), type: 'number', value: sla.nextReplyMinutes },
    { name: 'warnAtPercent', label: t('warnAtPercent'), type: 'number', value: sla.warnAtPercent ?? 80 },
  ], t('save'), (v) => save({ sla: v.firstReplyMinutes || v.nextReplyMinutes ? clean(v) : null }), 'inline');
  const bhForm = form([
    { name: 'timezone', label: t('timezone'), value: bh.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone },
    ...DAYS.map((d) => ({ name: d, label: t(`day_${d}`), value: hoursText(d), placeholder: '09:00-18:00' })),
    { name: 'holidays', label: t('holidays'), value: (bh.holidays ?? []).join(', '), placeholder: '2026-10-01, 2026-10-02' },
  ], t('save'), async (v) => {
    const week = Object.fromEntries(DAYS.map((d) => [d, parseHours(v[d])]));
    const holidays = String(v.holidays).split(/[,\s]+/).filter(Boolean);
    // No hours on any day means "no business hours" (always open), not "closed all week".
    await save({ businessHours: DAYS.some((d) => week[d].length) ? { timezone: v.timezone, weekly: week, ...(holidays.length ? { holidays } : {}) } : null });
  }, 'inline');
  const autoForm = form([
    { name: 'autoAssign', label: t('autoAssign'), type: 'checkbox', value: s.autoAssign?.enabled },
    { name: 'maxOpenPerAgent', label: t('maxOpenPerAgent'), type: 'number', value: s.autoAssign?.maxOpenPerAgent },
    { name: 'csat', label: t('csatEnabled'), type: 'checkbox', value: s.csat?.enabled },
    { name: 'csatQuestion', label: t('csatQuestion'), value: s.csat?.question ?? '' },
    { name: 'bot', label: t('botEnabled'), type: 'checkbox', value: s.bot?.enabled },
    { name: 'awayMessage', label: t('awayMessage'), type: 'textarea', value: s.bot?.awayMessage ?? '' },
    { name: 'followUpAfterHours', label: t('followUpAfterHours'), type: 'number', value: s.followUp?.afterHours },
    { name: 'followUpMessage', label: t('followUpMessage'), value: s.followUp?.message ?? '' },
    { name: 'autoResolveAfterHours', label: t('autoResolveAfterHours'), type: 'number', value: s.followUp?.autoResolveAfterHours },
  ], t('save'), (v) => save({
    autoAssign: clean({ ...s.autoAssign, enabled: v.autoAssign, maxOpenPerAgent: v.maxOpenPerAgent }),
    csat: clean({ ...s.csat, enabled: v.csat, question: v.csatQuestion }),
    bot: clean({ ...s.bot, enabled: v.bot, awayMessage: v.awayMessage }),
    // Follow-up needs its delay; without one the key is removed (no follow-ups).
    followUp: v.followUpAfterHours ? clean({ ...s.followUp, afterHours: v.followUpAfterHours, message: v.followUpMessage, autoResolveAfterHours: v.autoResolveAfterHours }) : null,
  }), 'inline');
  const memberList = h('ul', { class: 'members' }, members.userIds.map((u) => h('li', null, state.users.find((x) => x.id === u)?.name ?? u,
    isAdmin() ? h('button', { class: 'link', onclick: async () => { await del(`/api/v1/inboxes/${id}/members/${u}`); void inboxDetail(body, id); } }, t('remove')) : null)));
  const addSel = h('select', { name: 'member' }, state.users.filter((u) => !members.userIds.includes(u.id)).map((u) => opt(u.id, `${u.name} (${u.role})`)));
  render(body, h('p', null, h('a', { href: '#/admin/inboxes' }, '← ', t('admin_inboxes'))),
    h('h1', null, badge(inbox.channel), ' ', inbox.name),
    inbox.webhookUrl ? secretBox(t('webhookUrl'), inbox.webhookUrl) : null,
    inbox.widgetSnippet ? secretBox(t('widgetSnippet'), inbox.widgetSnippet) : null,
    inbox.webchatToken ? h('p', null, h('a', { href: `/widget-test/${inbox.webchatToken}`, target: '_blank', rel: 'noopener', id: 'widget-test-link' }, t('tryWidget'), ' ↗')) : null,
    h('details', null, h('summary', null, t('configJson')), h('pre', { class: 'mono' }, JSON.stringify(inbox.config, null, 2))),
    inbox.webhookSkipped?.length ? h('section', { class: 'card', id: 'webhook-skipped' }, h('h2', null, t('webhookSkipped')),
      table([t('skippedType'), t('count'), t('lastReason'), t('lastSeen')], inbox.webhookSkipped.map((x) => [h('code', null, x.type), x.count, x.lastReason ?? '', fmtTime(x.lastAt)]))) : null,
    importCard(inbox),
    h('div', { class: 'grid2' },
      h('section', { class: 'card' }, h('h2', null, t('sla')), slaForm),
      h('section', { class: 'card' }, h('h2', null, t('businessHours')), bhForm),
      h('section', { class: 'card' }, h('h2', null, t('automation')), autoForm),
      h('section', { class: 'card' }, h('h2', null, t('members')), memberList,
        isAdmin() && addSel.options.length ? h('div', { class: 'row' }, addSel, h('button', { onclick: async () => { await post(`/api/v1/inboxes/${id}/members`, { userIds: [addSel.value] }); void inboxDetail(body, id); } }, t('add'))) : null)));
}

// ---- teams -------------------------------------------------------------------------------------
async function teamsView(body: HTMLElement): Promise<void> {
  const r = await optional<{ data: { id: string; name: string; memberIds?: string[]; members?: { id: string }[] }[] }>('/api/v1/teams');
  if (!r) return unavailable(body, t('admin_teams'));
  const rows = r.data.map((team) => {
    const sel = h('select', { multiple: true, size: 3, name: 'members' }, state.users.map((u) => opt(u.id, u.name)));
    const members = team.memberIds ?? team.members?.map((m) => m.id) ?? [];
    return [team.name, members.map((m) => state.users.find((u) => u.id === m)?.name ?? m).join(', '),
      h('span', { class: 'row' }, sel, h('button', { onclick: async () => {
        const ids = [...sel.selectedOptions].map((o) => o.value);
        if (ids.length) { await post(`/api/v1/teams/${team.id}/members`, { userIds: ids }); toast(t('saved')); void teamsView(body); }
      } }, t('addMembers')))];
  });
  const f = form([{ name: 'name', label: t('name'), required: true }], t('create'), async (v) => { await post('/api/v1/teams', v); await loadDirectory(); void teamsView(body); });
  render(body, h('h1', null, t('admin_teams')), table([t('name'), t('members'), ''], rows), h('h2', null, t('newTeam')), f);
}

// ---- canned responses ----------------------------------------------------------------------
async function cannedView(body: HTMLElement): Promise<void> {
  const r = await optional<{ data: { id: string; shortCode: string; content: string }[] }>('/api/v1/canned-responses?limit=100');
  if (!r) return unavailable(body, t('admin_canned'));
  const rows = r.data.map((c) => [h('code', null, `/${c.shortCode}`), h('span', { class: 'pre' }, c.content), h('span', { class: 'row' },
    h('button', { class: 'link', onclick: async () => {
      const next = prompt(t('editContent'), c.content);
      if (next != null && next.trim()) { await patch(`/api/v1/canned-responses/${c.id}`, { content: next }); void cannedView(body); }
    } }, t('edit')),
    h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirmDelete'))) { await del(`/api/v1/canned-responses/${c.id}`); void cannedView(body); } } }, t('delete')))]);
  const f = form([
    { name: 'shortCode', label: t('shortCode'), required: true, placeholder: 'greeting' },
    { name: 'content', label: t('content'), type: 'textarea', required: true, placeholder: t('placeholdersHint') },
  ], t('create'), async (v) => { await post('/api/v1/canned-responses', v); void cannedView(body); });
  render(body, h('h1', null, t('admin_canned')), table([t('shortCode'), t('content'), ''], rows), h('h2', null, t('newCanned')), f);
}

// ---- FAQ -----------------------------------------------------------------------------------------
async function faqView(body: HTMLElement): Promise<void> {
  const r = await optional<{ data: { id: string; title: string; body: string; tags?: string[]; locale?: string }[] }>('/api/v1/faq-articles?limit=100');
  if (!r) return unavailable(body, t('admin_faq'));
  const rows = r.data.map((a) => [h('strong', null, a.title), h('span', { class: 'pre' }, a.body.slice(0, 200)), a.locale ?? '', (a.tags ?? []).join(', '),
    h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirmDelete'))) { await del(`/api/v1/faq-articles/${a.id}`); void faqView(body); } } }, t('delete'))]);
  const f = form([
    { name: 'title', label: t('title'), required: true }, { name: 'body', label: t('content'), type: 'textarea', required: true },
    { name: 'tags', label: t('tags'), placeholder: 'billing, card' },
    { name: 'locale', label: t('language'), type: 'select', options: [['en', 'English'], ['zh-CN', '简体中文']] },
  ], t('create'), async (v) => { await post('/api/v1/faq-articles', { ...v, tags: String(v.tags).split(',').map((x) => x.trim()).filter(Boolean) }); void faqView(body); });
  render(body, h('h1', null, t('admin_faq')), table([t('title'), t('content'), t('language'), t('tags'), ''], rows), h('h2', null, t('newArticle')), f);
}

// ---- AI assistant: model settings, synonym list, call log ------------------------------------
async function assistantView(body: HTMLElement): Promise<void> {
  const s = await optional<{ enabled: boolean; baseUrl: string; model: string; hasApiKey: boolean; timeoutMs: number; afterHours: boolean }>('/api/v1/assistant/settings');
  if (!s) return unavailable(body, t('admin_assistant'));
  const syn = await get<{ groups: string[][] }>('/api/v1/retrieval/synonyms');
  const calls = await get<{ data: any[] }>('/api/v1/assistant/calls?limit=25');
  const settingsForm = form([
    { name: 'enabled', label: t('aiEnabled'), type: 'checkbox', value: s.enabled },
    { name: 'baseUrl', label: t('aiBaseUrl'), type: 'url', value: s.baseUrl, placeholder: 'https://api.deepseek.com/v1' },
    { name: 'model', label: t('aiModel'), value: s.model, placeholder: 'deepseek-chat' },
    { name: 'apiKey', label: t('aiApiKey'), type: 'password' },
    { name: 'timeoutMs', label: t('aiTimeout'), type: 'number', value: s.timeoutMs },
    { name: 'afterHours', label: t('aiAfterHours'), type: 'checkbox', value: s.afterHours },
  ], t('save'), async (v) => {
    const input: Record<string, unknown> = { enabled: v.enabled, afterHours: v.afterHours, timeoutMs: v.timeoutMs };
    if (v.baseUrl) input.baseUrl = v.baseUrl;
    if (v.model) input.model = v.model;
    if (v.apiKey) input.apiKey = v.apiKey;
    await patch('/api/v1/assistant/settings', input);
    toast(t('saved'));
    void assistantView(body);
  }, 'assistant-settings');
  const synText = h('textarea', { id: 'synonyms', rows: 10 }, syn.groups.map((g) => g.join(', ')).join('\n'));
  const synErr = h('p', { class: 'error', hidden: true, role: 'alert' });
  const saveSyn = async () => {
    const groups = synText.value.split('\n').map((l) => l.split(/[,，]/).map((w) => w.trim()).filter(Boolean)).filter((g) => g.length > 0);
    try { await api('PUT', '/api/v1/retrieval/synonyms', { groups }); synErr.hidden = true; toast(t('saved')); } catch (e) { synErr.hidden = false; synErr.textContent = (e as Error).message; }
  };
  const rows = calls.data.map((c) => [c.createdAt ? fmtTime(c.createdAt) : '', c.action, h('span', { class: c.status === 'ok' ? '' : 'error' }, c.status, c.error ? ` — ${c.error}` : ''),
    `${c.promptTokens ?? '–'} / ${c.completionTokens ?? '–'}`, `${c.latencyMs} ms`,
    h('details', null, h('summary', null, t('aiSent')), h('pre', { class: 'pre' }, (c.request as { role: string; content: string }[]).map((m) => `${m.role}: ${m.content}`).join('\n\n')), c.response ? h('pre', { class: 'pre' }, c.response) : null)]);
  render(body, h('h1', null, t('admin_assistant')), s.hasApiKey ? h('p', { class: 'muted', id: 'ai-key-set' }, t('aiKeySet')) : null, settingsForm,
    h('h2', null, t('aiSynonyms')), synText, synErr, h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', id: 'save-synonyms', onclick: () => void saveSyn() }, t('save')),
      h('button', { type: 'button', class: 'link', id: 'reset-synonyms', onclick: async () => { await del('/api/v1/retrieval/synonyms'); void assistantView(body); } }, t('aiResetSynonyms'))),
    h('h2', null, t('aiCalls')), h('div', { id: 'ai-calls' }, table([t('time'), t('event'), t('status'), t('aiTokens'), t('aiLatency'), t('aiSent')], rows)));
}

// ---- outgoing webhooks ---------------------------------------------------------------------------
const WEBHOOK_EVENTS = ['*', 'message.created', 'message.updated', 'conversation.created', 'conversation.updated', 'csat.received', 'sla.breached'];

async function webhooksView(body: HTMLElement): Promise<void> {
  const r = await optional<{ data: { id: string; url: string; events: string[] }[] }>('/api/v1/webhooks');
  if (!r) return unavailable(body, t('admin_webhooks'));
  const out = h('div');
  const rows = r.data.map((w) => [h('code', null, w.url), w.events.join(', '), h('span', { class: 'row' },
    h('button', { class: 'link', onclick: () => void deliveries(w.id) }, t('deliveries')),
    h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirmDelete'))) { await del(`/api/v1/webhooks/${w.id}`); void webhooksView(body); } } }, t('delete')))]);
  const deliveriesEl = h('div');
  const deliveries = async (id: string) => {
    const d = await get<{ data: any[] }>(`/api/v1/webhooks/${id}/deliveries`);
    render(deliveriesEl, h('h2', null, t('deliveries')), table([t('event'), t('status'), 'HTTP', t('attempts'), t('time'), ''], d.data.map((x) => [
      x.eventType ?? '', h('span', { class: x.status === 'failed' ? 'error' : '' }, x.status ?? '', x.lastError ? ` — ${x.lastError}` : ''),
      x.responseCode == null ? '' : String(x.responseCode), String(x.attempts ?? ''), x.createdAt ? fmtTime(x.createdAt) : '',
      x.status === 'failed' ? h('button', { class: 'link', onclick: async () => { await post(`/api/v1/webhooks/${id}/deliveries/${x.id}/redeliver`); void deliveries(id); } }, t('redeliver')) : null])));
  };
  const f = form([
    { name: 'url', label: 'URL', type: 'url', required: true, placeholder: 'https://example.com/hooks/parley' },
    ...WEBHOOK_EVENTS.map((e) => ({ name: e, label: e === '*' ? t('allEvents') : e, type: 'checkbox' as const, value: e === 'message.created' })),
  ], t('create'), async (v) => {
    const events = v['*'] ? ['*'] : WEBHOOK_EVENTS.filter((e) => v[e]);
    const w = await post<{ secret?: string }>('/api/v1/webhooks', { url: v.url, events });
    await webhooksView(body);
    if (w.secret) body.append(h('div', { id: 'webhook-secret' }, secretBox(t('secretOnce'), w.secret)));
  });
  render(body, h('h1', null, t('admin_webhooks')), table(['URL', t('events'), ''], rows), deliveriesEl, h('h2', null, t('newWebhook')), f, out);
}
