// The composer's AI assistant bar: suggested reply (with its sources), summary, translation
// (of the draft if there is one, else of the customer's latest message) and tone fix. Results
// land in a panel above the text box; "Use" puts them into the draft. Nothing is ever sent
// from here: the agent edits and presses Send. Shown only when the account turned the model on.
import { ApiError, get, post } from './api.js';
import { h, render } from './dom.js';
import { t } from './i18n.js';

interface Output { text: string; sources?: { n: number; type: 'faq' | 'conversation'; id: string; title: string; link: string }[] }

let enabled: Promise<boolean> | null = null;
const assistantOn = () => (enabled ??= get<{ enabled: boolean }>('/api/v1/assistant/status').then((s) => s.enabled).catch(() => false));

export function assistantBar(convId: string, textarea: HTMLTextAreaElement, latestCustomerMessageId: () => string | null): HTMLElement {
  const panel = h('div', { class: 'ai-panel', id: 'ai-result', hidden: true });
  const bar = h('div', { class: 'ai-bar', id: 'ai-bar', hidden: true });
  const show = (title: string, out: Output | null, error?: string, usable = true) => {
    panel.hidden = false;
    if (error) { render(panel, h('p', { class: 'error', role: 'alert' }, error), h('button', { type: 'button', class: 'link', onclick: () => { panel.hidden = true; } }, t('aiDismiss'))); return; }
    const o = out!;
    render(panel,
      h('div', { class: 'ai-title' }, title),
      h('p', { class: 'ai-text pre', id: 'ai-text' }, o.text),
      o.sources?.length ? h('ol', { class: 'ai-sources', id: 'ai-sources' }, o.sources.map((s) => h('li', null,
        h('a', { href: s.link, target: s.type === 'faq' ? '_blank' : undefined, rel: 'noopener', 'data-type': s.type }, `[${s.n}] ${s.type === 'faq' ? t('aiFaq') : t('aiCase')}: ${s.title}`)))) : null,
      h('div', { class: 'row' },
        usable ? h('button', { type: 'button', class: 'primary', id: 'ai-use', onclick: () => { textarea.value = o.text; textarea.dispatchEvent(new Event('input')); textarea.focus(); panel.hidden = true; } }, t('aiUse')) : null,
        h('button', { type: 'button', class: 'link', id: 'ai-dismiss', onclick: () => { panel.hidden = true; } }, t('aiDismiss'))));
  };
  const run = (btn: HTMLButtonElement, title: string, call: () => Promise<Output>, usable: boolean | (() => boolean) = true) => async () => {
    btn.disabled = true;
    render(panel, h('p', { class: 'muted' }, t('aiWorking')));
    panel.hidden = false;
    // Read before the call: whether the result can replace the draft depends on what was asked.
    const canUse = typeof usable === 'function' ? usable() : usable;
    try { show(title, await call(), undefined, canUse); } catch (e) { show(title, null, e instanceof ApiError ? e.message : String(e)); } finally { btn.disabled = false; }
  };
  const base = `/api/v1/conversations/${convId}/assistant`;
  const mk = (id: string, label: string) => h('button', { type: 'button', class: 'chip', id }, label);
  const reply = mk('ai-reply', t('aiReply'));
  const summary = mk('ai-summary', t('aiSummary'));
  const translate = mk('ai-translate', t('aiTranslate'));
  const tone = mk('ai-tone', t('aiTone'));
  reply.onclick = run(reply, t('aiReply'), () => post<Output>(`${base}/reply`));
  summary.onclick = run(summary, t('aiSummary'), () => post<Output>(`${base}/summary`), false);
  translate.onclick = run(translate, t('aiTranslate'), () => {
    const draft = textarea.value.trim();
    const messageId = latestCustomerMessageId();
    if (draft) return post<Output>(`${base}/translate`, { text: draft });
    if (!messageId) return Promise.reject(new Error(t('aiNothing')));
    return post<Output>(`${base}/translate`, { messageId });
  }, () => textarea.value.trim() !== '');
  tone.onclick = run(tone, t('aiTone'), () => {
    const draft = textarea.value.trim();
    return draft ? post<Output>(`${base}/tone`, { draft }) : Promise.reject(new Error(t('aiNeedDraft')));
  });
  render(bar, h('span', { class: 'muted' }, t('aiLabel')), reply, summary, translate, tone);
  void assistantOn().then((on) => { bar.hidden = !on; });
  return h('div', { class: 'ai' }, bar, panel);
}
