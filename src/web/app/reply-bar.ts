// The composer's view of the reply window (GET reply-options): a tagged-window notice, or when
// free text is refused the reason, the channel's approved templates with their parameters
// (the first filled with the customer's name) and "continue on email/SMS" buttons.
import { ApiError, get, post } from './api.js';
import { h, opt, render } from './dom.js';
import { fmtTime, t } from './i18n.js';

interface Template { name: string; language: string; category: string | null; body: string; parameters: number }
interface ReplyOptions {
  state: 'open' | 'tagged' | 'templates_only' | 'closed' | 'opted_out';
  closesAt: string | null; tag?: string; reason?: string;
  templates?: Template[]; templatesError?: string;
  continueOn: { inboxId: string; inboxName: string; channel: string; address: string; conversationId: string | null }[];
}

export interface ReplyBar {
  el: HTMLElement;
  /** Free text may be sent (false: only a template or another channel). */
  freeText(): boolean;
  refresh(): Promise<void>;
}

export function replyBar(conv: { id: string; contact: { name: string | null } }, draft: () => string, onSent: (m: unknown) => void, onError: (msg: string) => void): ReplyBar {
  const el = h('div', { class: 'reply-bar', id: 'reply-bar', hidden: true });
  let opts: ReplyOptions | null = null;

  const templatePicker = (templates: Template[]) => {
    const select = h('select', { id: 'template-select', 'aria-label': t('template') }, templates.map((x, i) => opt(String(i), `${x.name} (${x.language})`, i === 0)));
    const params = h('div', { class: 'template-params' });
    const preview = h('p', { class: 'template-preview muted' });
    const inputs: HTMLInputElement[] = [];
    const fill = () => {
      const tpl = templates[Number(select.value)];
      preview.textContent = tpl.body.replace(/\{\{(\d{1,3})\}\}/g, (all, n: string) => inputs[Number(n) - 1]?.value || all);
    };
    const pick = () => {
      const tpl = templates[Number(select.value)];
      inputs.length = 0;
      for (let i = 0; i < tpl.parameters; i++) {
        const input = h('input', { class: 'template-param', placeholder: `{{${i + 1}}}`, 'aria-label': `{{${i + 1}}}`, value: i === 0 ? conv.contact.name ?? '' : '' });
        input.addEventListener('input', fill);
        inputs.push(input);
      }
      render(params, inputs);
      fill();
    };
    select.addEventListener('change', pick);
    pick();
    const send = h('button', { type: 'button', class: 'primary', id: 'send-template', onclick: async () => {
      const tpl = templates[Number(select.value)];
      send.disabled = true;
      try { onSent(await post(`/api/v1/conversations/${conv.id}/messages`, { template: { name: tpl.name, language: tpl.language, parameters: inputs.map((x) => x.value) } })); }
      catch (e) { onError(e instanceof ApiError ? e.message : String(e)); }
      finally { send.disabled = false; }
    } }, t('sendTemplate'));
    return h('div', { class: 'template-picker' }, h('label', null, t('template'), ' ', select), params, preview, send);
  };

  const draw = () => {
    if (!opts || opts.state === 'open') { el.hidden = true; render(el); return; }
    el.hidden = false;
    const notice = opts.state === 'tagged'
      ? h('p', { class: 'notice' }, t('taggedUntil').replace('{tag}', opts.tag ?? ''), ' ', opts.closesAt ? fmtTime(opts.closesAt) : '')
      : h('p', { class: 'notice warn' }, h('strong', null, t('windowClosed')), ': ', opts.reason ?? '');
    const continues = opts.continueOn.length ? h('div', { class: 'continue-on' }, opts.continueOn.map((o) => h('button', {
      type: 'button', class: 'continue', 'data-inbox': o.inboxId,
      onclick: async () => {
        const content = draft().trim();
        if (!content) { onError(t('replyPlaceholder')); return; }
        try {
          const r = await post<{ conversationId: string }>(`/api/v1/conversations/${conv.id}/continue`, { inboxId: o.inboxId, content });
          location.hash = `#/inbox/${r.conversationId}`;
        } catch (e) { onError(e instanceof ApiError ? e.message : String(e)); }
      },
    }, `${t('continueOn')} ${o.inboxName} (${o.address})`))) : null;
    const templates = opts.state === 'templates_only' && opts.templates?.length ? templatePicker(opts.templates) : null;
    render(el, notice, templates, opts.templatesError && opts.state === 'templates_only' ? h('p', { class: 'error' }, opts.templatesError) : null, continues);
  };

  const bar: ReplyBar = {
    el,
    freeText: () => !opts || opts.state === 'open' || opts.state === 'tagged',
    async refresh() {
      try { opts = await get<ReplyOptions>(`/api/v1/conversations/${conv.id}/reply-options`); } catch { opts = null; }
      draw();
    },
  };
  void bar.refresh();
  return bar;
}
