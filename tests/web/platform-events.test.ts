// The agents' app in real Chromium with platform events: an edited and a deleted customer
// message, a reaction, the conversation's origin, the WhatsApp composer outside the window
// (templates only, parameters prefilled, the template's text stored) and the skipped-items
// table an admin sees on the inbox.
import { beforeAll, describe, expect, it } from 'vitest';
import { startWhatsappFake } from '../../connectors/whatsapp/fake.js';
import { manualClock } from '../../src/domain/core/clock.js';
import { channelFixtures } from '../helpers/channel.js';
import { fixture } from '../helpers/fixture.js';
import { adminPage, launchChromium } from './browser.js';

const clock = manualClock(Date.now());
const { fake: wa, p, ch } = channelFixtures(startWhatsappFake, 'whatsapp', 'WhatsApp', (f) => f.inboxConfig('v'), { clock });
const browser = fixture(launchChromium);

const value = (messages: unknown[], contacts: unknown[] = []) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: wa.phoneNumberId }, contacts, messages } }] }],
});
const ts = () => String(Math.floor(clock.now() / 1000));

beforeAll(async () => {
  const contacts = [{ profile: { name: 'Greta' }, wa_id: '4917000000001' }];
  await wa.pushWebhook(ch.hook, value([
    { from: '4917000000001', id: 'wamid.e1', timestamp: ts(), type: 'text', text: { body: 'I want 2 boxes' }, referral: { source_type: 'ad', source_id: '77', headline: 'Boxes sale', source_url: 'https://fb.me/boxes' } },
    { from: '4917000000001', id: 'wamid.e2', timestamp: ts(), type: 'text', text: { body: 'my IBAN is DE00 1234' } },
  ], contacts));
  await wa.pushWebhook(ch.hook, value([
    { from: '4917000000001', id: 'wamid.e3', timestamp: ts(), type: 'edit', edit: { original_message_id: 'wamid.e1', message: { type: 'text', text: { body: 'I want 3 boxes' } } } },
    { from: '4917000000001', id: 'wamid.e4', timestamp: ts(), type: 'revoke', revoke: { original_message_id: 'wamid.e2' } },
    { from: '4917000000001', id: 'wamid.e5', timestamp: ts(), type: 'reaction', reaction: { message_id: 'wamid.e1', emoji: '👍' } },
    { from: '4917000000001', id: 'wamid.e6', timestamp: ts(), type: 'brand_new_type' },
  ], contacts));
  clock.advance(25 * 3_600_000);
});

describe('platform events in the web app', () => {
  it('shows edits, deletions, reactions and origin; outside the window offers only templates and sends one', async () => {
    const conv = await ch.conversationOf('4917000000001');
    const page = await adminPage(browser, p.url, `/#/inbox/${conv.id}`);
    const edited = page.locator('.msg', { hasText: 'I want 3 boxes' });
    await edited.waitFor();
    await expect(edited.locator('details.edited summary').innerText()).resolves.toContain('edited');
    await edited.locator('details.edited summary').click();
    await expect(edited.locator('details.edited li').innerText()).resolves.toContain('I want 2 boxes');
    await expect(edited.locator('.reaction').innerText()).resolves.toBe('👍');
    const deleted = page.locator('.msg .msg-body.deleted');
    await expect(deleted.locator('em').innerText()).resolves.toContain('Deleted by the customer');
    expect(await deleted.locator('details.record div').isVisible()).toBe(false);
    await expect(page.locator('.chip.origin').innerText()).resolves.toContain('Boxes sale');

    await page.waitForSelector('#reply-bar:not([hidden]) #template-select');
    await expect(page.locator('#reply-bar .notice').innerText()).resolves.toContain('approved template');
    await page.selectOption('#template-select', { label: 'follow_up (en_US)' });
    const params = page.locator('.template-param');
    await expect(params.nth(0).inputValue()).resolves.toBe('Greta');
    await params.nth(1).fill('#77');
    await expect(page.locator('.template-preview').innerText()).resolves.toBe('Hi Greta, we have an update on your request #77. Reply to this message to continue the conversation.');
    await page.click('#send-template');
    await page.locator('.msg.out', { hasText: 'Hi Greta, we have an update on your request #77' }).waitFor();
    const stored = (await ch.messagesOf(conv.id)).at(-1);
    expect(stored).toMatchObject({ direction: 'out', deliveryStatus: 'queued', meta: { template: { name: 'follow_up', parameters: ['Greta', '#77'] } } });

    await page.goto(`${p.url}/#/admin/inboxes/${ch.inboxId}`);
    const skipped = page.locator('#webhook-skipped');
    await skipped.waitFor();
    await expect(skipped.innerText()).resolves.toContain('message.brand_new_type');
  });
});
