// Reports: GET /api/v1/reports/summary rendered as KPI cards and simple SVG bar charts. The
// summary's shape belongs to the reports area, so this reads it generically: numbers become
// cards, arrays of {date|day|bucket, n...} become charts.
import { optional, qs } from './api.js';
import { h, opt, render, s } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

export function reportsView(main: HTMLElement): void {
  const to = new Date();
  const from = new Date(to.getTime() - 6 * 86_400_000);
  const fromI = h('input', { type: 'date', name: 'from', value: day(from) });
  const toI = h('input', { type: 'date', name: 'to', value: day(to) });
  const inbox = h('select', { name: 'inboxId' }, opt('', t('allInboxes')), state.inboxes.map((i) => opt(i.id, i.name)));
  const agent = h('select', { name: 'agentId' }, opt('', t('allAgents')), state.users.map((u) => opt(u.id, u.name)));
  const out = h('div', { class: 'report', id: 'report' });
  const csv = h('a', { class: 'button', download: 'parley-report.csv' }, t('downloadCsv'));
  const params = () => qs({ from: new Date(`${fromI.value}T00:00:00`).toISOString(), to: new Date(`${toI.value}T23:59:59.999`).toISOString(), inboxId: inbox.value, agentId: agent.value });
  const load = async () => {
    render(out, h('p', { class: 'muted' }, t('loading')));
    csv.setAttribute('href', `/api/v1/reports/summary.csv${params()}`);
    try {
      const r = await optional<Record<string, unknown>>(`/api/v1/reports/summary${params()}`);
      if (!r) { render(out, h('p', { class: 'muted' }, t('reportsUnavailable'))); csv.hidden = true; return; }
      renderSummary(out, r);
    } catch (e) {
      render(out, h('p', { class: 'error' }, (e as Error).message));
    }
  };
  for (const el of [fromI, toI, inbox, agent]) el.addEventListener('change', () => void load());
  render(main, h('div', { class: 'pad narrow-wide' }, h('h1', null, t('reports')),
    h('div', { class: 'filter-row' }, h('label', null, t('from'), fromI), h('label', null, t('to'), toI), inbox, agent, csv), out));
  void load();
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const human = (k: string) => { const key = `r_${k}`; const tr = t(key); return tr === key ? k.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()) : tr; };
const fmt = (k: string, n: number) => (/seconds|Secs?$/i.test(k) ? fmtDuration(n) : /ms$|Ms$/.test(k) ? fmtDuration(n / 1000) : /rate|percent|Pct/i.test(k) && n <= 1 ? `${Math.round(n * 100)}%` : Number.isInteger(n) ? String(n) : n.toFixed(2));
function fmtDuration(sec: number): string {
  if (sec < 90) return `${Math.round(sec)}s`;
  if (sec < 5400) return `${Math.round(sec / 60)}m`;
  return `${(sec / 3600).toFixed(1)}h`;
}

interface Figures { conversationsOpened: number; conversationsResolved: number; firstReplyMinutes: { median: number | null; p90: number | null };
  resolutionMinutes: { median: number | null; p90: number | null }; slaBreaches: number; csatAverage: number | null; csatResponses: number }
type Row = Figures & { name: string | null; inboxId?: string; agentId?: string; channel?: string | null };

const minutes = (m: number | null | undefined) => (m == null ? '—' : fmtDuration(m * 60));

/** The reports area's summary: totals as cards, per-inbox and per-agent figures as bar charts. */
function renderKnown(out: HTMLElement, r: Figures & { byInbox: Row[]; byAgent: Row[] }): void {
  const card = (key: string, value: string, label: string) => h('div', { class: 'card kpi', 'data-key': key }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label));
  const charts = (rows: Row[], by: string) => rows.length ? [
    barChart(`${t('r_volume')} · ${by}`, rows.map((x) => ({ label: short(x.name ?? x.inboxId ?? x.agentId ?? ''), value: x.conversationsOpened, text: String(x.conversationsOpened) }))),
    barChart(`${t('r_firstReply')} (${t('r_median')}) · ${by}`, rows.map((x) => ({ label: short(x.name ?? ''), value: x.firstReplyMinutes.median ?? 0, text: minutes(x.firstReplyMinutes.median) }))),
    barChart(`${t('r_csat')} · ${by}`, rows.map((x) => ({ label: short(x.name ?? ''), value: x.csatAverage ?? 0, text: x.csatAverage == null ? '—' : x.csatAverage.toFixed(1) }))),
  ] : [];
  render(out,
    h('div', { class: 'kpis' },
      card('conversationsOpened', String(r.conversationsOpened), t('r_opened')),
      card('conversationsResolved', String(r.conversationsResolved), t('r_resolved')),
      card('firstReplyMedian', minutes(r.firstReplyMinutes.median), `${t('r_firstReply')} · ${t('r_median')}`),
      card('firstReplyP90', minutes(r.firstReplyMinutes.p90), `${t('r_firstReply')} · p90`),
      card('resolutionMedian', minutes(r.resolutionMinutes.median), `${t('r_resolution')} · ${t('r_median')}`),
      card('slaBreaches', String(r.slaBreaches), t('slaBreached')),
      card('csatAverage', r.csatAverage == null ? '—' : `${r.csatAverage.toFixed(2)} / 5`, `${t('r_csat')} (${r.csatResponses})`)),
    h('div', { class: 'charts' }, charts(r.byInbox, t('r_byInbox')), charts(r.byAgent, t('r_byAgent'))));
}
const short = (s: string) => (s.length > 12 ? `${s.slice(0, 11)}…` : s);

function renderSummary(out: HTMLElement, r: Record<string, unknown>): void {
  if (Array.isArray(r.byInbox) && Array.isArray(r.byAgent) && typeof r.conversationsOpened === 'number') {
    renderKnown(out, r as unknown as Figures & { byInbox: Row[]; byAgent: Row[] });
    return;
  }
  const cards: HTMLElement[] = [];
  const charts: HTMLElement[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, val] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isNum(val)) cards.push(h('div', { class: 'card kpi', 'data-key': key }, h('div', { class: 'kpi-value' }, fmt(k, val)), h('div', { class: 'kpi-label' }, prefix ? `${human(prefix)} · ${human(k)}` : human(k))));
      else if (Array.isArray(val) && val.length && typeof val[0] === 'object') charts.push(...seriesCharts(key, val as Record<string, unknown>[]));
      else if (val && typeof val === 'object' && !Array.isArray(val)) walk(val as Record<string, unknown>, key);
    }
  };
  walk(r, '');
  render(out, cards.length ? h('div', { class: 'kpis' }, cards) : null, charts, !cards.length && !charts.length ? h('pre', null, JSON.stringify(r, null, 2)) : null);
}

function seriesCharts(name: string, rows: Record<string, unknown>[]): HTMLElement[] {
  const labelKey = Object.keys(rows[0]).find((k) => typeof rows[0][k] === 'string') ?? null;
  const numKeys = Object.keys(rows[0]).filter((k) => isNum(rows[0][k]));
  return numKeys.map((k) => barChart(`${human(name)} · ${human(k)}`, rows.map((row, i) => ({ label: labelKey ? String(row[labelKey]).slice(5, 10) || String(row[labelKey]) : String(i + 1), value: (row[k] as number) ?? 0, text: fmt(k, (row[k] as number) ?? 0) }))));
}

export function barChart(title: string, data: { label: string; value: number; text: string }[]): HTMLElement {
  const W = 560, H = 180, pad = 24;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = (W - pad * 2) / Math.max(1, data.length);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H + 30}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(s('line', { x1: pad, y1: H, x2: W - pad, y2: H, class: 'axis' }));
  data.forEach((d, i) => {
    const bh = (d.value / max) * (H - pad);
    const x = pad + i * bw + bw * 0.15;
    svg.append(s('rect', { x, y: H - bh, width: bw * 0.7, height: bh, class: 'bar' }, s('title', {}, `${d.label}: ${d.text}`)));
    if (data.length <= 31) svg.append(s('text', { x: x + bw * 0.35, y: H + 14, 'text-anchor': 'middle', class: 'tick' }, d.label));
    if (data.length <= 14 && d.value > 0) svg.append(s('text', { x: x + bw * 0.35, y: H - bh - 4, 'text-anchor': 'middle', class: 'val' }, d.text));
  });
  return h('figure', { class: 'card chart-card' }, h('figcaption', null, title), svg);
}
