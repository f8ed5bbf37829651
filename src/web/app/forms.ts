// Shared building blocks of the admin and account pages: a small form builder, tables, and
// boxes for secrets shown once.
import { h, opt, render, type Child } from './dom.js';
import { t } from './i18n.js';

export interface Field { name: string; label: string; type?: 'text' | 'textarea' | 'select' | 'checkbox' | 'number' | 'email' | 'password' | 'url'; options?: [string, string][]; required?: boolean; placeholder?: string; value?: unknown }

export function form(fields: Field[], submitLabel: string, onSubmit: (v: Record<string, any>) => Promise<void>, cls = ''): HTMLFormElement {
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const err = h('p', { class: 'error', hidden: true, role: 'alert' });
  const el = h('form', {
    class: `form ${cls}`,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const values: Record<string, any> = {};
      for (const f of fields) {
        const i = inputs.get(f.name)!;
        values[f.name] = f.type === 'checkbox' ? (i as HTMLInputElement).checked : f.type === 'number' ? (i.value === '' ? undefined : Number(i.value)) : i.value;
      }
      err.hidden = true;
      try { await onSubmit(values); } catch (x) { err.hidden = false; err.textContent = (x as Error).message; }
    },
  });
  for (const f of fields) {
    let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (f.type === 'textarea') input = h('textarea', { name: f.name, rows: 4, required: f.required, placeholder: f.placeholder ?? '' }, String(f.value ?? ''));
    else if (f.type === 'select') input = h('select', { name: f.name }, (f.options ?? []).map(([v, l]) => opt(v, l, String(f.value ?? '') === v)));
    else input = h('input', { name: f.name, type: f.type ?? 'text', required: f.required, placeholder: f.placeholder ?? '', value: f.type === 'checkbox' ? undefined : f.value ?? '', checked: f.type === 'checkbox' ? Boolean(f.value) : undefined });
    inputs.set(f.name, input);
    el.append(f.type === 'checkbox' ? h('label', { class: 'check' }, input, f.label) : h('label', null, f.label, input));
  }
  el.append(err, h('button', { type: 'submit', class: 'primary' }, submitLabel));
  return el;
}

export const table = (head: string[], rows: Child[][]) => h('table', { class: 'table' }, h('thead', null, h('tr', null, head.map((x) => h('th', null, x)))),
  h('tbody', null, rows.length ? rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))) : h('tr', null, h('td', { colspan: head.length, class: 'muted' }, t('none')))));

export const unavailable = (body: HTMLElement, title: string) => render(body, h('h1', null, title), h('p', { class: 'muted' }, t('sectionUnavailable')));
export const secretBox = (label: string, value: string) => h('div', { class: 'secret' }, h('p', null, label), h('code', { class: 'copy' }, value));

