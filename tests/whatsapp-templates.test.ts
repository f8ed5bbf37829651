// WhatsApp templates with a header (text with {{1}}, image, document, video), buttons (quick-reply
// payload, URL with a dynamic suffix) and body parameters: what the listing says each needs, the
// `components` array a send carries (Meta's documented shape), the rendered text stored, the
// agent's missing values refused before anything is queued, and the fake refusing, as Graph
// does (132000/132012), a send that does not fit the template.
import { describe, expect, it } from 'vitest';
import { startWhatsappFake } from '../connectors/whatsapp/fake.js';
import { manualClock } from '../src/domain/core/clock.js';
import { deliverDueOutbox } from '../src/domain/outbox/outbox.js';
import { channelFixtures } from './helpers/channel.js';

const H = 3_600_000;
const clock = manualClock(Date.UTC(2026, 10, 4, 10, 0, 0));
const { fake: wa, p, ch: w } = channelFixtures(async () => {
  const fake = await startWhatsappFake();
  // Parley cannot fill a copy-code button: such a template is not offered.
  fake.templates.push({ name: 'coupon', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Your code' }, { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy code' }] }] });
  return fake;
}, 'whatsapp', 'WA', (f) => f.inboxConfig('v'), { clock });

const reply = (convId: string, body: Record<string, unknown>) => p.api.post(`/api/v1/conversations/${convId}/messages`, body);
const outCount = async (convId: string) => (await p.store.get<{ n: number }>("SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND direction = 'out'", [convId]))!.n;
async function closedWindow(waId: string, name: string) {
  await wa.customerWrites(w.hook, { waId, name, text: 'Hallo', timestamp: clock.now() });
  const conv = await w.conversationOf(waId);
  clock.advance(25 * H);
  return conv;
}

describe('WhatsApp templates with header, buttons and body parameters', () => {
  it('the listing says per component what each template needs', async () => {
    const list = (await p.api.get(`/api/v1/inboxes/${w.inboxId}/templates`)).body.data as any[];
    const byName = Object.fromEntries(list.map((t) => [t.name, t]));
    expect(byName.coupon).toBeUndefined();
    expect(byName.hello_world.header).toEqual({ format: 'text', text: 'Hello World', parameters: 0 });
    expect(byName.order_shipped).toMatchObject({
      parameters: 2, header: { format: 'image', text: null, parameters: 1 }, footer: 'Parley demo shop',
      buttons: [
        { index: 0, type: 'quick_reply', text: 'Talk to an agent', url: null, parameter: 'payload' },
        { index: 1, type: 'url', text: 'Track the parcel', url: 'https://shop.example.com/track/{{1}}', parameter: 'suffix' },
      ],
    });
    expect(byName.appointment_reminder.header).toEqual({ format: 'text', text: 'Your appointment, {{1}}', parameters: 1 });
    expect(byName.appointment_reminder.buttons.map((b: any) => [b.type, b.parameter])).toEqual([['quick_reply', 'payload'], ['quick_reply', 'payload'], ['phone_number', null]]);
    expect(byName.invoice_ready.header.format).toBe('document');
    expect(byName.setup_video).toMatchObject({ parameters: 0, header: { format: 'video', parameters: 1 } });
    const opts = (await p.api.get(`/api/v1/conversations/${(await closedWindow('4915110000009', 'Ida')).id}/reply-options`)).body;
    expect(opts.templates.find((t: any) => t.name === 'order_shipped').buttons).toHaveLength(2);
  });

  it('a missing or bad value is a 400 before anything is queued', async () => {
    const conv = await closedWindow('4915110000001', 'Jonas');
    const before = await outCount(conv.id);
    const base = { name: 'order_shipped', language: 'en_US', parameters: ['Jonas', '#4411'] };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, buttons: [{ index: 1, value: '4411' }] }, 'template.header', 'link to the header\'s image'],
      [{ ...base, header: 'parcel.jpg', buttons: [{ index: 1, value: '4411' }] }, 'template.header', 'http(s) link'],
      [{ ...base, header: 'https://cdn.example.com/parcel.jpg' }, 'template.buttons', 'Track the parcel'],
      [{ ...base, header: 'https://cdn.example.com/parcel.jpg', buttons: [{ index: 1, value: '4411' }, { index: 5, value: 'x' }] }, 'template.buttons', 'no button 6'],
      [{ name: 'follow_up', language: 'en_US', parameters: ['Jonas', '#1'], header: 'Hi' }, 'template.header', 'no header parameter'],
      [{ name: 'appointment_reminder', language: 'en_US', parameters: ['Friday'], buttons: [{ index: 2, value: 'x' }] }, 'template.header', "header's {{1}} text"],
      [{ name: 'appointment_reminder', language: 'en_US', parameters: ['Friday'], header: 'Jonas', buttons: [{ index: 2, value: 'x' }] }, 'template.buttons', 'takes no parameter'],
    ];
    for (const [template, field, message] of cases) {
      const r = await reply(conv.id, { template });
      expect(r.status, JSON.stringify(template)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_template_parameters', details: { field } });
      expect(r.body.error.message).toContain(message);
    }
    expect(await outCount(conv.id)).toBe(before);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 0 });
  });

  it('an image header, body and both buttons go out as Meta documents them; the rendered text is stored, the values in meta', async () => {
    const conv = await closedWindow('4915110000002', 'Jonas');
    const ok = await reply(conv.id, { template: { name: 'order_shipped', language: 'en_US', parameters: ['Jonas', '#4411'], header: 'https://cdn.example.com/parcel.jpg',
      buttons: [{ index: 0, value: 'agent-4411' }, { index: 1, value: '4411' }] } });
    expect(ok.status).toBe(201);
    expect(ok.body.content).toBe('[image]\nHi Jonas, your order #4411 is on its way.\nParley demo shop\n[Talk to an agent] [Track the parcel]');
    expect(ok.body.meta.template).toEqual({ name: 'order_shipped', language: 'en_US', parameters: ['Jonas', '#4411'], header: { format: 'image', link: 'https://cdn.example.com/parcel.jpg' },
      buttons: [{ index: 0, type: 'quick_reply', value: 'agent-4411' }, { index: 1, type: 'url', value: '4411' }] });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    const sent = wa.sent.at(-1)!;
    expect(sent.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '4915110000002', type: 'template', template: {
      name: 'order_shipped', language: { code: 'en_US' }, components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/parcel.jpg' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Jonas' }, { type: 'text', text: '#4411' }] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'agent-4411' }] },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '4411' }] },
      ] } });
    expect(sent.text).toBe(ok.body.content);
    const stored = (await w.messagesOf(conv.id)).at(-1);
    expect(stored).toMatchObject({ deliveryStatus: 'sent', content: ok.body.content });
  });

  it('a text header with {{1}}, a document header (with its file name) and a video header', async () => {
    const conv = await closedWindow('4915110000003', 'Mia');
    const a = await reply(conv.id, { template: { name: 'appointment_reminder', language: 'en_US', parameters: ['Friday'], header: 'Mia' } });
    expect(a.body.content).toBe('Your appointment, Mia\nWe look forward to seeing you on Friday.\n[Confirm] [Reschedule] [Call us]');
    const d = await reply(conv.id, { template: { name: 'invoice_ready', language: 'en_US', parameters: ['INV-7'], header: 'https://files.example.com/inv/INV-7.pdf' } });
    expect(d.body.content).toBe('[document]\nYour invoice INV-7 is attached.');
    const v = await reply(conv.id, { template: { name: 'setup_video', language: 'en_US', header: 'https://files.example.com/setup.mp4' } });
    expect(v.status).toBe(201);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 3 });
    const [sa, sd, sv] = wa.sent.slice(-3).map((s) => (s.body as any).template.components);
    expect(sa).toEqual([{ type: 'header', parameters: [{ type: 'text', text: 'Mia' }] }, { type: 'body', parameters: [{ type: 'text', text: 'Friday' }] }]);
    expect(sd[0]).toEqual({ type: 'header', parameters: [{ type: 'document', document: { link: 'https://files.example.com/inv/INV-7.pdf', filename: 'INV-7.pdf' } }] });
    expect(sv).toEqual([{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://files.example.com/setup.mp4' } }] }]);
    expect(wa.sent.slice(-3).map((s) => s.text)).toEqual([a.body.content, d.body.content, '[video]\nThis short video shows how to set up your device.']);
  });

  it('a media header may be a file sent with the template: stored on the message, uploaded, then sent by its media id', async () => {
    const conv = await closedWindow('4915110000006', 'Noor');
    const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const form = (template: unknown, file: [string, string]) => {
      const f = new FormData();
      f.append('template', JSON.stringify(template));
      f.append('files', new Blob([PDF], { type: file[1] }), file[0]);
      return fetch(`${p.url}/api/v1/conversations/${conv.id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${p.adminToken}` }, body: f })
        .then(async (r) => ({ status: r.status, body: await r.json() as any }));
    };
    const wrongType = await form({ name: 'invoice_ready', language: 'en_US', parameters: ['INV-9'] }, ['INV-9.txt', 'text/plain']);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: 'invalid_template_parameters', details: { field: 'files' } });
    const noMedia = await form({ name: 'follow_up', language: 'en_US', parameters: ['Noor', '#9'] }, ['INV-9.pdf', 'application/pdf']);
    expect(noMedia.body.error.message).toContain('takes no file');
    const notJson = await form('{', ['INV-9.pdf', 'application/pdf']);
    expect(notJson.status).toBe(400);
    expect(await outCount(conv.id)).toBe(0);

    const ok = await form({ name: 'invoice_ready', language: 'en_US', parameters: ['INV-9'] }, ['INV-9.pdf', 'application/pdf']);
    expect(ok.status).toBe(201);
    expect(ok.body.content).toBe('[document]\nYour invoice INV-9 is attached.');
    expect(ok.body.attachments.map((a: any) => a.filename)).toEqual(['INV-9.pdf']);
    expect(ok.body.meta.template.header).toEqual({ format: 'document', filename: 'INV-9.pdf' });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    const upload = wa.uploads.at(-1)!;
    expect([upload.filename, upload.contentType, upload.data]).toEqual(['INV-9.pdf', 'application/pdf', PDF]);
    expect((wa.sent.at(-1)!.body as any).template.components[0]).toEqual({ type: 'header', parameters: [{ type: 'document', document: { id: upload.id, filename: 'INV-9.pdf' } }] });
    expect(wa.sent.at(-1)!.text).toBe(ok.body.content);
  });

  it('the fake refuses, as Graph does, a send that does not fit the template; the reply fails with that reason', async () => {
    const send = (template: unknown) => fetch(`${wa.url}/v25.0/${wa.phoneNumberId}/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${wa.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: '4915110000004', type: 'template', template }),
    }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
    const noMedia = await send({ name: 'order_shipped', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '1' }] }] });
    expect(noMedia.status).toBe(400);
    expect(noMedia.body.error).toMatchObject({ code: 132012, error_data: { details: 'header: Format mismatch, expected IMAGE, received UNKNOWN' } });
    const noSuffix = await send({ name: 'order_shipped', language: { code: 'en_US' }, components: [{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://x.example/a.jpg' } }] }, { type: 'body', parameters: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
    expect(noSuffix.body.error.code).toBe(132000);
    const extraHeader = await send({ name: 'follow_up', language: { code: 'en_US' }, components: [{ type: 'header', parameters: [{ type: 'text', text: 'x' }] }, { type: 'body', parameters: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
    expect(extraHeader.body.error.code).toBe(132000);

    // The template changed on WhatsApp after Parley listed it: the send is refused and the reply fails with Graph's reason.
    const conv = await closedWindow('4915110000005', 'Lea');
    const r = await reply(conv.id, { template: { name: 'setup_video', language: 'en_US', header: 'https://files.example.com/setup.mp4' } });
    expect(r.status).toBe(201);
    wa.templates.find((t) => t.name === 'setup_video')!.components[1].text = 'Hi {{1}}, this short video shows how to set up your device.';
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ failed: 1 });
    const m = (await w.messagesOf(conv.id)).find((x) => x.id === r.body.id);
    expect(m.deliveryStatus).toBe('failed');
    expect(m.error).toContain('Number of parameters does not match');
    expect(m.error).toContain('132000');
  });
});
