// The composer's view of the reply window (GET reply-options): a tagged-window notice, or when
// free text is refused the reason, the channel's approved templates with the values they need
// (header text, or media link or file, body parameters, button URL suffix or payload; the customer's
// name prefilled) and "continue on email/SMS" buttons.
import { ApiError, get, post, postForm } from './api.js';
import { h, opt, render } from './dom.js';
import { fmtTime, t } from './i18n.js';

interface TemplateButton { index: number; type: 'quick_reply' | 'url' | 'phone_number'; text: string; url: string | null; parameter: 'payload' | 'suffix' | null }
interface Template {
  name: string; language: string; category: string | null; body: string; parameters: number;
  header?: { format: 'text' | 'image' | 'document' | 'video'; text: string | null; parameters: number } | null;
  footer?: string | null; buttons?: TemplateButton[];
}
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

  // One input per value the template needs: the header's {{1}} or media link, the body's {{n}},
  // the dynamic buttons' URL suffix or quick-reply payload; the preview renders like the server.
  const templatePicker = (templates: Template[]) => {
    const select = h('select', { id: 'template-select', 'aria-label': t('template') }, templates.map((x, i) => opt(String(i), `${x.name} (${x.language})`, i === 0)));
    const params = h('div', { class: 'template-params' });
    const preview = h('p', { class: 'template-preview muted' });
    const inputs: HTMLInputElement[] = [];
    let header: HTMLInputElement | null = null;
    let headerFile: HTMLInputElement | null = null;
    let buttons: { b: TemplateButton; input: HTMLInputElement }[] = [];
    const fillIn = (text: string, values: string[]) => text.replace(/\{\{(\d{1,3})\}\}/g, (all, n: string) => values[Number(n) - 1] || all);
    const fill = () => {
      const tpl = templates[Number(select.value)];
      const head = !tpl.header ? null : tpl.header.format === 'text' ? fillIn(tpl.header.text ?? '', [header?.value ?? '']) : `[${tpl.header.format}]`;
      const labels = (tpl.buttons ?? []).map((b) => `[${b.text}]`).join(' ');
      preview.textContent = [head, fillIn(tpl.body, inputs.map((x) => x.value)), tpl.footer, labels].filter((x) => x).join('\n');
    };
    const field = (props: Record<string, string>, value = '') => {
      const input = h('input', { ...props, value });
      input.addEventListener('input', fill);
      return input;
    };
    const pick = () => {
      const tpl = templates[Number(select.value)];
      const name = conv.contact.name ?? '';
      const hd = tpl.header;
      header = !hd || (hd.format === 'text' && !hd.parameters) ? null
        : hd.format === 'text' ? field({ class: 'template-header', placeholder: `${t('templateHeader')} {{1}}`, 'aria-label': `${t('templateHeader')} {{1}}` }, name)
        : field({ class: 'template-header', type: 'url', placeholder: 'https://…', 'aria-label': t(`templateMedia_${hd.format}`) });
      // A media header: a link, or a file from this computer (uploaded with the send).
      const accept: Record<string, string> = { image: 'image/jpeg,image/png', video: 'video/mp4,video/3gpp', document: 'application/pdf' };
      headerFile = hd && hd.format !== 'text' ? h('input', { type: 'file', class: 'template-file', accept: accept[hd.format], 'aria-label': t('templateHeaderFile') }) : null;
      headerFile?.addEventListener('change', () => { if (header) header.disabled = Boolean(headerFile!.files?.length); });
      inputs.length = 0;
      for (let i = 0; i < tpl.parameters; i++) inputs.push(field({ class: 'template-param', placeholder: `{{${i + 1}}}`, 'aria-label': `{{${i + 1}}}` }, i === 0 ? name : ''));
      buttons = (tpl.buttons ?? []).filter((b) => b.parameter).map((b) => {
        const label = b.parameter === 'suffix' ? `${b.text}: ${b.url}` : `${b.text}: ${t('templatePayload')}`;
        return { b, input: field({ class: 'template-button', 'data-index': String(b.index), placeholder: label, 'aria-label': label }) };
      });
      const headerRow = header ? h('label', { class: 'template-field' }, hd!.format === 'text' ? t('templateHeader') : t(`templateMedia_${hd!.format}`), ' ', header) : null;
      const fileRow = headerFile ? h('label', { class: 'template-field' }, t('templateHeaderFile'), ' ', headerFile) : null;
      render(params, headerRow, fileRow, inputs, buttons.map((x) => h('label', { class: 'template-field' }, x.b.text, ' ', x.input)));
      fill();
    };
    select.addEventListener('change', pick);
    pick();
    const send = h('button', { type: 'button', class: 'primary', id: 'send-template', onclick: async () => {
      const tpl = templates[Number(select.value)];
      const values = buttons.filter((x) => x.input.value.trim()).map((x) => ({ index: x.b.index, value: x.input.value }));
      send.disabled = true;
      try {
        const file = headerFile?.files?.[0];
        const template = { name: tpl.name, language: tpl.language, parameters: inputs.map((x) => x.value),
          ...(header && !file ? { header: header.value } : {}), ...(values.length ? { buttons: values } : {}) };
        if (file) {
          const form = new FormData();
          form.append('template', JSON.stringify(template));
          form.append('files', file, file.name);
          onSent(await postForm(`/api/v1/conversations/${conv.id}/messages`, form));
        } else onSent(await post(`/api/v1/conversations/${conv.id}/messages`, { template }));
      } catch (e) { onError(e instanceof ApiError ? e.message : String(e)); }
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
