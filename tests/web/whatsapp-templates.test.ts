// The WhatsApp composer in real Chromium outside the 24-hour window: a template with an image
// header, body parameters and a quick-reply and a URL button asks for each value (the customer's
// name prefilled), refuses a send without the header's media with the server's reason, previews
// the rendered template and sends it with Meta's components array; a document header from a file.
import { beforeAll, describe, expect, it } from 'vitest';
import { startWhatsappFake } from '../../connectors/whatsapp/fake.js';
import { manualClock } from '../../src/domain/core/clock.js';
import { deliverDueOutbox } from '../../src/domain/outbox/outbox.js';
import { channelFixtures } from '../helpers/channel.js';
import { fixture } from '../helpers/fixture.js';
import { adminPage, launchChromium } from './browser.js';

const clock = manualClock(Date.now());
const { fake: wa, p, ch } = channelFixtures(startWhatsappFake, 'whatsapp', 'WhatsApp', (f) => f.inboxConfig('v'), { clock });
const browser = fixture(launchChromium);

beforeAll(async () => {
  await wa.customerWrites(ch.hook, { waId: '4917000000002', name: 'Greta', text: 'Where is my parcel?', timestamp: clock.now() });
  clock.advance(25 * 3_600_000);
});

describe('WhatsApp template composer', () => {
  it('asks for the header media, body values and button parts, then sends the rendered template', async () => {
    const conv = await ch.conversationOf('4917000000002');
    const page = await adminPage(browser, p.url, `/#/inbox/${conv.id}`);
    await page.waitForSelector('#reply-bar:not([hidden]) #template-select');
    await page.selectOption('#template-select', { label: 'order_shipped (en_US)' });
    const header = page.getByLabel('Header image link');
    await expect(header.inputValue()).resolves.toBe('');
    const params = page.locator('.template-param');
    await expect(params.count()).resolves.toBe(2);
    await expect(params.nth(0).inputValue()).resolves.toBe('Greta');
    await params.nth(1).fill('#77');
    await expect(page.locator('.template-button').count()).resolves.toBe(2);
    await expect(page.locator('.template-button[data-index="1"]').getAttribute('placeholder')).resolves.toContain('https://shop.example.com/track/{{1}}');
    await page.fill('.template-button[data-index="1"]', '77');

    await page.click('#send-template');
    await expect(page.locator('.toast.error').innerText()).resolves.toContain("needs a link to the header's image");
    expect((await ch.messagesOf(conv.id)).filter((m) => m.direction === 'out')).toHaveLength(0);

    await header.fill('https://cdn.example.com/parcel.jpg');
    await page.fill('.template-button[data-index="0"]', 'agent-77');
    const rendered = '[image]\nHi Greta, your order #77 is on its way.\nParley demo shop\n[Talk to an agent] [Track the parcel]';
    await expect(page.locator('.template-preview').innerText()).resolves.toBe(rendered);
    await page.click('#send-template');
    await page.locator('.msg.out', { hasText: 'Hi Greta, your order #77 is on its way.' }).waitFor();
    const stored = (await ch.messagesOf(conv.id)).at(-1);
    expect(stored).toMatchObject({ direction: 'out', content: rendered, meta: { template: { name: 'order_shipped', parameters: ['Greta', '#77'],
      header: { format: 'image', link: 'https://cdn.example.com/parcel.jpg' }, buttons: [{ index: 0, type: 'quick_reply', value: 'agent-77' }, { index: 1, type: 'url', value: '77' }] } } });
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    expect((wa.sent.at(-1)!.body as any).template.components.map((c: any) => [c.type, c.sub_type ?? null])).toEqual([['header', null], ['body', null], ['button', 'quick_reply'], ['button', 'url']]);

    // A text header with {{1}} is prefilled with the customer's name too.
    await page.selectOption('#template-select', { label: 'appointment_reminder (en_US)' });
    await expect(page.getByLabel('Header {{1}}').inputValue()).resolves.toBe('Greta');
    await page.locator('.template-param').nth(0).fill('Friday');
    await expect(page.locator('.template-preview').innerText()).resolves.toBe('Your appointment, Greta\nWe look forward to seeing you on Friday.\n[Confirm] [Reschedule] [Call us]');

    // A document header from a file on the agent's computer: sent with the template, uploaded to WhatsApp.
    await page.selectOption('#template-select', { label: 'invoice_ready (en_US)' });
    await page.setInputFiles('.template-file', { name: 'INV-5.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await expect(page.getByLabel('Header document link').isDisabled()).resolves.toBe(true);
    await page.locator('.template-param').nth(0).fill('INV-5');
    await page.click('#send-template');
    await page.locator('.msg.out', { hasText: 'Your invoice INV-5 is attached.' }).waitFor();
    const invoice = (await ch.messagesOf(conv.id)).at(-1);
    expect(invoice).toMatchObject({ content: '[document]\nYour invoice INV-5 is attached.', meta: { template: { name: 'invoice_ready', header: { format: 'document', filename: 'INV-5.pdf' } } } });
    expect(invoice.attachments.map((a: any) => a.filename)).toEqual(['INV-5.pdf']);
    expect(await deliverDueOutbox(p.deps)).toMatchObject({ sent: 1 });
    expect(wa.uploads.at(-1)!.filename).toBe('INV-5.pdf');
  });
});
