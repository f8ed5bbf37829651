// The admin page's view of a polling inbox's backlog import: done / total, rate, ETA, and
// pause / resume; refreshed every 2 s while the import runs and the card is on screen. Also
// the first-connect history choice of the new-inbox form (email).
import { get, post } from './api.js';
import { h, opt, render } from './dom.js';
import { t } from './i18n.js';
import type { Inbox } from './state.js';
import { channelTakes, isAdmin } from './state.js';

const REFRESH_MS = 2000;

const duration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

export function importCard(inbox: Inbox): HTMLElement | null {
  if (!inbox.import && !channelTakes(inbox.channel, 'importHistory')) return null;
  const card = h('section', { class: 'card', id: 'import-card' });
  const draw = (i: Inbox) => {
    const p = i.import;
    const bar = p && p.total ? h('progress', { max: p.total, value: p.done }) : null;
    const line = p
      ? [t(`import_${p.state}`), ' · ', `${p.done}${p.total != null ? ` / ${p.total}` : ''} ${t('messagesUnit')}`,
          p.state === 'running' ? ` · ${p.ratePerSecond}/s` : '', p.etaSeconds && p.state === 'running' ? ` · ${t('eta')} ${duration(p.etaSeconds)}` : '']
      : [t('import_none')];
    const action = p && p.state !== 'done' && isAdmin()
      ? h('button', { id: 'import-toggle', onclick: async () => draw(await post<Inbox>(`/api/v1/inboxes/${i.id}/import/${p.state === 'paused' ? 'resume' : 'pause'}`)) },
        t(p.state === 'paused' ? 'resumeImport' : 'pauseImport'))
      : null;
    const history = i.config?.importHistory ?? (i.config?.skipExisting ? 'none' : channelTakes(i.channel, 'importHistory') ? 'all' : null);
    render(card, h('h2', null, t('import')), history ? h('p', { class: 'muted' }, t(`history_${history}`), history === 'recent' ? ` (${i.config.importDays})` : '') : null,
      h('p', { id: 'import-progress' }, ...line), bar, action);
    if (p?.state === 'running') {
      setTimeout(async () => { if (card.isConnected) draw(await get<Inbox>(`/api/v1/inboxes/${i.id}`)); }, REFRESH_MS);
    }
  };
  draw(inbox);
  return card;
}

/** New inbox of a channel whose config takes importHistory (email): what to import on first connect. */
export function historyFields(): { el: HTMLElement; apply(cfg: Record<string, unknown>, takesHistory: boolean): Record<string, unknown> } {
  const mode = h('select', { name: 'importHistory', id: 'new-inbox-history' }, ['all', 'recent', 'none'].map((m) => opt(m, t(`history_${m}`))));
  const days = h('input', { name: 'importDays', type: 'number', min: 1, max: 3650, value: 30, id: 'new-inbox-days' });
  const daysLabel = h('label', { hidden: true }, t('importDays'), days);
  mode.onchange = () => { daysLabel.hidden = mode.value !== 'recent'; };
  const el = h('div', { id: 'new-inbox-history-fields', hidden: true }, h('label', null, t('importHistory'), mode), daysLabel);
  return {
    el,
    apply(cfg, takesHistory) {
      if (!takesHistory || 'importHistory' in cfg || 'skipExisting' in cfg) return cfg;
      return { ...cfg, importHistory: mode.value, ...(mode.value === 'recent' ? { importDays: Number(days.value) } : {}) };
    },
  };
}
