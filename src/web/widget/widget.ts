// The embeddable chat widget: <script src="https://host/widget.js" data-token="…" async>.
// Everything lives in a Shadow DOM so the host page's CSS cannot reach it; the visitor token
// is kept in localStorage per chat so the conversation survives reloads. zh-CN or English by
// the page's <html lang>. Plain DOM, no dependencies: keep it small (docs/web.md has the size).
import { takeDroppedFiles } from '../shared/file-drop.js';
(() => {
  const script = (document.currentScript ?? document.querySelector('script[src*="widget.js"][data-token]')) as HTMLScriptElement | null;
  const token = script?.dataset.token;
  if (!script || !token || (window as any).__parleyWidget?.[token]) return;
  ((window as any).__parleyWidget ??= {})[token] = true;
  const base = new URL(script.src, location.href).origin;
  const api = `${base}/public/webchat/${encodeURIComponent(token)}`;
  const zh = /^zh/i.test(document.documentElement.lang || navigator.language || '');
  const T = zh
    ? { title: '在线客服', hello: '您好！有什么可以帮您？', name: '您的称呼（可选）', email: '邮箱（可选）', start: '开始聊天', placeholder: '输入消息…', send: '发送', open: '打开聊天', close: '关闭', failed: '发送失败，点击重试', rate: '请为本次服务评分', comment: '还有什么想说的？（可选）', submit: '提交', thanks: '感谢您的评价！', agent: '客服', bot: '机器人', resolved: '会话已结束，发送新消息即可重新开始。', attach: '添加文件', remove: '移除', tooBig: '文件太大（最大 10 MB）：', uploading: '正在上传' }
    : { title: 'Chat with us', hello: 'Hi! How can we help?', name: 'Your name (optional)', email: 'Email (optional)', start: 'Start chat', placeholder: 'Type a message…', send: 'Send', open: 'Open chat', close: 'Close', failed: 'Not sent — click to retry', rate: 'How did we do?', comment: 'Anything else? (optional)', submit: 'Send rating', thanks: 'Thanks for your feedback!', agent: 'Support', bot: 'Bot', resolved: 'This chat was resolved. Write again any time.', attach: 'Attach a file', remove: 'Remove', tooBig: 'File too large (max 10 MB): ', uploading: 'Uploading' };
  // The server's limit for a visitor's file (WEBCHAT_MAX_FILE_BYTES): checked before uploading.
  const MAX_FILE = 10 * 1048576;

  const KEY = `parley:${token}`;
  // v: visitor token, e: when it expires (ms); it is refreshed before then (and after, within a week).
  type Saved = { v?: string; e?: number; csat?: boolean; open?: boolean };
  const load = (): Saved => { try { return JSON.parse(localStorage.getItem(KEY) || '{}'); } catch { return {}; } };
  const save = (p: Saved) => { try { localStorage.setItem(KEY, JSON.stringify({ ...load(), ...p })); } catch { /* private mode */ } };
  let saved = load();

  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  };

  const host = el('div');
  host.setAttribute('data-parley-widget', '');
  host.style.cssText = 'all:initial;position:fixed;z-index:2147483000;bottom:0;right:0';
  const root = host.attachShadow({ mode: 'open' });
  const style = el('style');
  style.textContent = `:host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;font-size:14px;line-height:1.4}
.b{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2563eb;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center}
.b svg{width:26px;height:26px;fill:#fff}.b:focus-visible{outline:3px solid #93c5fd}
.p{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 24px);height:520px;max-height:calc(100vh - 110px);background:#fff;color:#1d2330;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}
.p[hidden],[hidden]{display:none!important}
.h{background:#2563eb;color:#fff;padding:14px 16px;display:flex;justify-content:space-between;align-items:center;font-weight:600}
.h button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}
.l{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
.m{max-width:82%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #e3e6eb;align-self:flex-start}
.m.in{align-self:flex-end;background:#2563eb;color:#fff;border-color:#2563eb}.m.bot{font-style:italic}
.m.err{opacity:.7;cursor:pointer}.m small{display:block;font-size:11px;opacity:.75;margin-top:2px}
.sys{align-self:center;color:#6b7380;font-size:12px;text-align:center}
form{display:flex;gap:6px;padding:10px;border-top:1px solid #e3e6eb;background:#fff}
input,textarea{flex:1;border:1px solid #d5d9e0;border-radius:8px;padding:8px 10px;font:inherit;color:#1d2330;background:#fff;min-width:0}
textarea{resize:none;height:40px}
button.s{border:0;border-radius:8px;background:#2563eb;color:#fff;padding:0 14px;cursor:pointer;font-weight:600}
.i{display:flex;flex-direction:column;gap:8px;padding:14px;border-bottom:1px solid #e3e6eb;background:#fff}
.i button{align-self:flex-start;height:34px}
.c{background:#fff;border:1px solid #e3e6eb;border-radius:12px;padding:10px;align-self:stretch;display:flex;flex-direction:column;gap:8px}
.st{display:flex;gap:4px}.st button{border:1px solid #d5d9e0;background:#fff;border-radius:8px;cursor:pointer;font-size:18px;width:40px;height:36px;color:#b58500}
.st button.on{background:#fff4d0;border-color:#f0c040}
.m img{display:block;max-width:100%;max-height:220px;border-radius:8px;margin-top:4px;cursor:zoom-in}.m audio,.m video{display:block;max-width:100%;margin-top:4px}
.m a{color:inherit;display:block;margin-top:4px}.tr{display:flex;flex-wrap:wrap;gap:6px;padding:0 10px}.tr:empty{display:none}
.ch{display:flex;align-items:center;gap:4px;border:1px solid #d5d9e0;border-radius:8px;padding:3px 6px;font-size:12px;max-width:100%}.ch img{width:32px;height:32px;object-fit:cover;border-radius:4px}
.ch button,button.a{background:none;border:0;cursor:pointer;font-size:16px;color:#6b7380}.pg{height:3px;background:#93c5fd;margin-top:4px;border-radius:2px}
.p.drop{outline:3px dashed #2563eb;outline-offset:-6px}
@media (max-width:480px){.p{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}}`;

  const bubble = el('button', 'b');
  bubble.setAttribute('aria-label', T.open);
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  const panel = el('div', 'p');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', T.title);
  const head = el('div', 'h', T.title);
  const x = el('button', '', '×');
  x.setAttribute('aria-label', T.close);
  head.append(x);
  const intro = el('div', 'i');
  const nameI = el('input');
  nameI.placeholder = T.name;
  nameI.name = 'name';
  const emailI = el('input');
  emailI.type = 'email';
  emailI.placeholder = T.email;
  emailI.name = 'email';
  intro.append(el('div', '', T.hello), nameI, emailI);
  const list = el('div', 'l');
  list.setAttribute('aria-live', 'polite');
  const form = el('form');
  const input = el('textarea');
  input.placeholder = T.placeholder;
  input.name = 'message';
  const send = el('button', 's', T.send);
  send.type = 'submit';
  // Files waiting to go with the next message: button, paste (a screenshot) or drop.
  const attachB = el('button', 'a');
  attachB.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"/></svg>';
  attachB.type = 'button';
  attachB.setAttribute('aria-label', T.attach);
  attachB.title = T.attach;
  const fileI = el('input');
  fileI.type = 'file';
  fileI.multiple = true;
  fileI.hidden = true;
  const tray = el('div', 'tr');
  form.append(attachB, fileI, input, send);
  panel.append(head, intro, list, tray, form);
  root.append(style, panel, bubble);

  const seen = new Set<string>();
  let es: EventSource | null = null;

  type WFile = { id: string; name: string; contentType: string; size: number; url: string; state: string; kind: string | null };
  type WMsg = { id: string; direction: 'in' | 'out'; content: string; sender: { type: string }; attachments?: WFile[] };
  const kb = (n: number) => (n > 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
  // <img>/<audio> cannot send headers: the visitor token rides in the query.
  const fileUrl = (f: WFile) => `${base}${f.url}?visitorToken=${encodeURIComponent(saved.v ?? '')}`;
  function fileEl(f: WFile): HTMLElement {
    if (f.state !== 'ready') return el('small', '', `${f.name} (${f.state})`);
    const src = fileUrl(f);
    if (f.kind === 'image' || f.kind === 'sticker') {
      const a = el('a');
      a.href = src; a.target = '_blank'; a.rel = 'noopener';
      const img = el('img');
      img.src = src; img.alt = f.name;
      a.append(img);
      return a;
    }
    if (f.kind === 'audio' || f.kind === 'voice' || f.kind === 'video') {
      const p = el(f.kind === 'video' ? 'video' : 'audio');
      p.controls = true; p.src = src; p.preload = 'metadata';
      return p;
    }
    const a = el('a', '', `${f.name} (${kb(f.size)})`);
    a.href = `${src}&download=1`; a.target = '_blank'; a.rel = 'noopener';
    a.setAttribute('download', f.name);
    return a;
  }
  function add(m: WMsg) {
    const old = list.querySelector(`[data-id="${m.id}"]`);
    if (seen.has(m.id) && !old) return;
    seen.add(m.id);
    const d = el('div', `m ${m.direction}${m.sender.type === 'bot' ? ' bot' : ''}`, m.content);
    d.dataset.id = m.id;
    for (const f of m.attachments ?? []) d.append(fileEl(f));
    if (old) { old.replaceWith(d); return; }
    list.append(d);
    list.scrollTop = list.scrollHeight;
  }
  const sys = (text: string) => { const d = el('div', 'sys', text); list.append(d); list.scrollTop = list.scrollHeight; return d; };

  let refreshing: Promise<void> | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const keep = (r: { visitorToken: string; expiresAt: string }) => {
    saved.v = r.visitorToken;
    saved.e = Date.parse(r.expiresAt);
    save({ v: saved.v, e: saved.e });
    clearTimeout(refreshTimer);
    // Ten minutes before expiry (at most a day ahead: timers overflow past ~24 days).
    refreshTimer = setTimeout(() => { void refresh().catch(() => {}); }, Math.min(86_400_000, Math.max(1000, saved.e - Date.now() - 600_000)));
  };
  /** Trades the visitor token for a fresh one; the live stream reconnects with it. */
  function refresh(): Promise<void> {
    refreshing ??= call('/sessions/refresh', {}).then((r) => {
      keep(r);
      if (es) { es.close(); es = null; listen(); }
    }).finally(() => { refreshing = null; });
    return refreshing;
  }
  const fresh = async () => { if (saved.v && (!saved.e || saved.e - Date.now() < 600_000)) await refresh(); };

  async function call(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST', retried = false): Promise<any> {
    const res = await fetch(api + path, {
      method, headers: { ...(saved.v ? { authorization: `Bearer ${saved.v}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && saved.v && !retried && path !== '/sessions' && path !== '/sessions/refresh') {
      const code = await res.clone().json().then((b) => b?.error?.code, () => null);
      if (code === 'token_expired') {
        await refresh();
        return call(path, body, method, true);
      }
    }
    if (res.status === 401 && saved.v && path !== '/sessions') {
      // The token no longer opens a chat (secret rotated): start over.
      saved = {}; save({ v: undefined, e: undefined, csat: false });
      es?.close(); es = null;
    }
    if (!res.ok) throw new Error(String(res.status));
    return res.status === 204 ? null : res.json();
  }

  let status: string | null = null;
  async function history() {
    if (!saved.v) return;
    const r = await call('/messages?limit=100');
    status = r.status ?? status;
    (r.data as WMsg[]).forEach(add);
    intro.hidden = true;
  }

  function listen() {
    if (es || !saved.v) return;
    es = new EventSource(`${api}/events?visitorToken=${encodeURIComponent(saved.v)}`);
    // After a reconnect, fill the gap from the message list.
    let first = true;
    es.addEventListener('ready', () => { if (!first) void history().catch(() => {}); first = false; });
    const onMsg = (ev: Event) => { const d = JSON.parse((ev as MessageEvent).data); if (d.message) add(d.message); };
    es.addEventListener('message.created', onMsg);
    es.addEventListener('message.updated', onMsg);
    es.addEventListener('csat.requested', () => { save({ csat: true }); saved.csat = true; showCsat(); });
    es.addEventListener('conversation.updated', (ev) => {
      const d = JSON.parse((ev as MessageEvent).data);
      // Several updates can carry the same status; say it once per resolve.
      if (d.status && d.status !== status) {
        if (d.status === 'resolved' && status) sys(T.resolved);
        status = d.status;
      }
    });
  }

  async function ensureSession() {
    if (saved.v) return;
    const body: Record<string, string> = {};
    if (nameI.value.trim()) body.name = nameI.value.trim();
    if (emailI.value.trim()) body.email = emailI.value.trim();
    const r = await call('/sessions', body);
    keep(r);
    status = 'open';
    intro.hidden = true;
    listen();
  }

  /** Multipart upload through XHR: fetch reports no upload progress. */
  function upload(text: string, cid: string, files: File[], bar: HTMLElement): Promise<any> {
    return new Promise((resolve, reject) => {
      const fd = new FormData();
      fd.append('content', text);
      fd.append('clientMessageId', cid);
      for (const f of files) fd.append('files', f, f.name || 'screenshot.png');
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${api}/messages`);
      xhr.setRequestHeader('authorization', `Bearer ${saved.v}`);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.style.width = `${Math.round((100 * e.loaded) / e.total)}%`; };
      xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText)) : reject(new Error(xhr.responseText)));
      xhr.onerror = () => reject(new Error('network'));
      xhr.send(fd);
    });
  }

  async function deliver(text: string, cid: string, pending: HTMLElement, files: File[] = []) {
    try {
      await fresh();
      await ensureSession();
      let m;
      if (files.length) {
        const bar = el('div', 'pg');
        bar.style.width = '0';
        bar.title = T.uploading;
        pending.append(bar);
        m = await upload(text, cid, files, bar);
      } else m = await call('/messages', { content: text, clientMessageId: cid });
      pending.remove();
      add(m);
    } catch {
      pending.className = 'm in err';
      pending.title = T.failed;
      pending.onclick = () => { pending.className = 'm in'; pending.onclick = null; pending.querySelector('.pg')?.remove(); void deliver(text, cid, pending, files); };
    }
  }

  let queued: File[] = [];
  function renderTray() {
    tray.replaceChildren(...queued.map((f, i) => {
      const c = el('span', 'ch');
      if (f.type.startsWith('image/')) { const img = el('img'); img.src = URL.createObjectURL(f); img.alt = ''; c.append(img); }
      c.append(`${f.name || 'screenshot.png'} (${kb(f.size)})`);
      const rm = el('button', '', '×');
      rm.type = 'button';
      rm.setAttribute('aria-label', T.remove);
      rm.onclick = () => { queued.splice(i, 1); renderTray(); };
      c.append(rm);
      return c;
    }));
  }
  function queue(files: Iterable<File>) {
    for (const f of files) {
      if (f.size > MAX_FILE) { sys(T.tooBig + (f.name || '')); continue; }
      if (queued.length < 10) queued.push(f);
    }
    renderTray();
  }
  attachB.onclick = () => fileI.click();
  fileI.onchange = () => { queue(fileI.files ?? []); fileI.value = ''; };
  takeDroppedFiles(input, panel, queue);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    const files = queued;
    if (!text && !files.length) return;
    input.value = '';
    queued = [];
    renderTray();
    const pending = el('div', 'm in', text || files.map((f) => f.name || 'screenshot.png').join(', '));
    list.append(pending);
    list.scrollTop = list.scrollHeight;
    void deliver(text, Math.random().toString(36).slice(2) + Date.now().toString(36), pending, files);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });

  let csatEl: HTMLElement | null = null;
  function showCsat() {
    if (csatEl) return;
    csatEl = el('div', 'c');
    csatEl.setAttribute('data-csat', '');
    const stars = el('div', 'st');
    let rating = 0;
    const comment = el('input');
    comment.placeholder = T.comment;
    const submit = el('button', 's', T.submit);
    submit.disabled = true;
    submit.style.height = '34px';
    for (let i = 1; i <= 5; i++) {
      const b = el('button', '', '★');
      b.type = 'button';
      b.dataset.rating = String(i);
      b.setAttribute('aria-label', `${i}/5`);
      b.onclick = () => { rating = i; submit.disabled = false; stars.querySelectorAll('button').forEach((s, j) => s.classList.toggle('on', j < i)); };
      stars.append(b);
    }
    submit.onclick = async () => {
      submit.disabled = true;
      try {
        await call('/csat', { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
        save({ csat: false });
        saved.csat = false;
        csatEl!.replaceChildren(el('div', 'sys', T.thanks));
      } catch { submit.disabled = false; }
    };
    csatEl.append(el('div', '', T.rate), stars, comment, submit);
    list.append(csatEl);
    list.scrollTop = list.scrollHeight;
  }

  let loaded = false;
  function toggle(open: boolean) {
    panel.hidden = !open;
    save({ open });
    if (open) {
      if (!loaded && saved.v) { loaded = true; void fresh().catch(() => {}).then(history).then(() => { if (saved.csat) showCsat(); }).catch(() => {}); }
      void fresh().catch(() => {}).then(listen);
      setTimeout(() => input.focus(), 0);
    }
  }
  bubble.onclick = () => toggle(panel.hidden);
  x.onclick = () => toggle(false);
  if (saved.v) intro.hidden = true;

  const mount = () => { document.body.append(host); if (saved.open) toggle(true); };
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
