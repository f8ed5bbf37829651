// Files through the web chat and the agents' API: a visitor attaches a screenshot (multipart),
// the agent sees it on the message and opens it; the agent replies with a PDF (multipart), the
// visitor opens it from the widget's route. Files are scoped like their conversation.
import { describe, expect, it } from 'vitest';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { PDF, PNG } from './helpers/media.js';
import { fixture } from './helpers/fixture.js';
import { createInbox } from './helpers/inboxes.js';
import { apiClient, startTestParley } from './helpers/parley.js';

const p = fixture(() => startTestParley());
const site = fixture(() => createInbox(p.api, 'webchat', {}, { name: 'Site' }));

const form = (parts: Record<string, string | [Uint8Array, string, string][]>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(parts)) {
    if (typeof v === 'string') f.append(k, v);
    else for (const [data, name, type] of v) f.append(k, new Blob([data as Uint8Array<ArrayBuffer>], { type }), name);
  }
  return f;
};
async function visitor(name: string) {
  const s = await p.api.post(`/public/webchat/${site.webchatToken}/sessions`, { name });
  return s.body.visitorToken as string;
}
const postForm = (path: string, token: string, body: FormData) => fetch(p.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });

describe('files in the web chat', () => {
  let conversationId: string;
  let vt: string;
  it('a visitor attaches a screenshot: stored, listed on the message, opened by the agent', async () => {
    vt = await visitor('Lin');
    const res = await postForm(`/public/webchat/${site.webchatToken}/messages`, vt, form({ content: 'this error', files: [[PNG, 'Screenshot 2026-12-01.png', 'image/png']] }));
    expect(res.status).toBe(201);
    const mine = await res.json();
    expect(mine.attachments).toEqual([expect.objectContaining({ name: 'Screenshot 2026-12-01.png', contentType: 'image/png', size: PNG.byteLength, state: 'ready', kind: 'image', url: expect.stringContaining(`/public/webchat/${site.webchatToken}/attachments/`) })]);
    const conv = (await p.api.get(`/api/v1/conversations?inboxId=${site.id}`)).body.data[0];
    conversationId = conv.id;
    const [m] = (await p.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    expect(m.content).toBe('this error');
    expect(m.attachments).toEqual([{ id: expect.any(String), name: 'Screenshot 2026-12-01.png', filename: 'Screenshot 2026-12-01.png', contentType: 'image/png', size: PNG.byteLength, url: `/api/v1/attachments/${m.attachments[0].id}`, state: 'ready', kind: 'image', error: null }]);
    const file = await p.api.raw(m.attachments[0].url, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
  });

  it('an agent of another inbox gets 404 for the file; the visitor opens it by token (header or query), another visitor cannot', async () => {
    const [m] = (await p.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data;
    const other = await p.api.post('/api/v1/inboxes', { name: 'Other', channel: 'webchat', config: {} });
    const outsider = await p.createUser('agent', 'Outsider');
    await p.api.post(`/api/v1/inboxes/${other.body.id}/members`, { userIds: [outsider.id] });
    expect((await p.as(outsider.token).get(m.attachments[0].url)).status).toBe(404);
    const member = await p.createUser('agent', 'Member');
    await p.api.post(`/api/v1/inboxes/${site.id}/members`, { userIds: [member.id] });
    expect((await p.as(member.token).get(m.attachments[0].url)).status).toBe(200);

    const visitorUrl = `/public/webchat/${site.webchatToken}/attachments/${m.attachments[0].id}`;
    expect((await apiClient(p.url, vt).get(visitorUrl)).status).toBe(200);
    const byQuery = await fetch(`${p.url}${visitorUrl}?visitorToken=${encodeURIComponent(vt)}`);
    expect(byQuery.status).toBe(200);
    expect(new Uint8Array(await byQuery.arrayBuffer())).toEqual(PNG);
    const stranger = await visitor('Stranger');
    expect((await apiClient(p.url, stranger).get(visitorUrl)).status).toBe(404);
    expect((await fetch(p.url + visitorUrl)).status).toBe(401);
  });

  it('the agent replies with a PDF (multipart); the visitor sees the file and opens it; a private note\'s file stays with agents', async () => {
    const res = await postForm(`/api/v1/conversations/${conversationId}/messages`, p.adminToken, form({ content: 'Your statement', files: [[PDF, 'statement.pdf', 'application/pdf']] }));
    expect(res.status).toBe(201);
    const reply = await res.json();
    expect(reply).toMatchObject({ direction: 'out', deliveryStatus: 'queued', attachments: [expect.objectContaining({ name: 'statement.pdf', contentType: 'application/pdf', state: 'ready' })] });
    await deliverDueOutbox(p.deps);
    const note = await postForm(`/api/v1/conversations/${conversationId}/messages`, p.adminToken, form({ content: 'internal', private: 'true', files: [[PNG, 'internal.png', 'image/png']] }));
    expect(note.status).toBe(201);
    const noteBody = await note.json();
    expect(noteBody).toMatchObject({ private: true, deliveryStatus: null });

    const seen = (await apiClient(p.url, vt).get(`/public/webchat/${site.webchatToken}/messages`)).body.data;
    const out = seen.find((m: any) => m.direction === 'out');
    expect(out).toMatchObject({ content: 'Your statement', deliveryStatus: 'sent', attachments: [expect.objectContaining({ name: 'statement.pdf', contentType: 'application/pdf' })] });
    expect(seen.some((m: any) => m.content === 'internal')).toBe(false);
    const pdf = await apiClient(p.url, vt).raw(out.attachments[0].url, { headers: { authorization: `Bearer ${vt}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await pdf.arrayBuffer())).toEqual(PDF);
    const noteFile = `/public/webchat/${site.webchatToken}/attachments/${noteBody.attachments[0].id}`;
    expect((await apiClient(p.url, vt).get(noteFile)).status).toBe(404);
  });

  it('bad files are refused at once with the reason; nothing is written', async () => {
    const before = (await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages'))!.n;
    const fake = new TextEncoder().encode('<svg onload="alert(1)"></svg>');
    const r1 = await postForm(`/public/webchat/${site.webchatToken}/messages`, vt, form({ content: 'x', files: [[fake, 'cat.png', 'image/png']] }));
    expect(r1.status).toBe(422);
    expect((await r1.json()).error).toMatchObject({ code: 'file_refused', message: expect.stringContaining('cat.png') });
    const r2 = await postForm(`/api/v1/conversations/${conversationId}/messages`, p.adminToken, form({ content: 'x', files: [[new Uint8Array(0), 'empty.pdf', 'application/pdf']] }));
    expect(r2.status).toBe(422);
    expect((await r2.json()).error.message).toBe('"empty.pdf" was refused: the file is empty');
    const r3 = await postForm(`/public/webchat/${site.webchatToken}/messages`, vt, form({ content: 'x', files: [[PNG, '../../../etc/passwd.png', 'image/png']] }));
    expect(r3.status).toBe(201);
    expect((await r3.json()).attachments[0].name).toBe('passwd.png');
    expect((await p.store.get<{ n: number }>('SELECT count(*) AS n FROM messages'))!.n).toBe(before + 1);
    const spec = (await p.api.get('/api/v1/openapi.json')).body;
    expect(Object.keys(spec.paths['/conversations/{id}/messages'].post.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
  });
});
