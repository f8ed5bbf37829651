// Bench-only stand-in for the Messenger connector, used only while connectors/messenger/ is
// not registered in connectors/registry.ts. It does the work the real one must do on each
// webhook (PLATFORMS.md, "Meta: Messenger and Instagram"): HMAC-SHA256 of the raw body with
// the app secret, compared in constant time with X-Hub-Signature-256, then JSON parse of the
// entry/messaging shape into InboundEvents (echoes as outbound). Sends go to `apiBaseUrl`
// (the bench's fake Graph API on loopback) as POST /v19.0/me/messages.
import { z } from 'zod';
import type { Connector, InboundEvent } from '../connectors/types.js';
import { hmacSha256, timingSafeEqualStr, toHex } from '../src/domain/core/crypto.js';

export const benchMessengerConfig = z.object({
  pageId: z.string(),
  pageAccessToken: z.string(),
  appSecret: z.string(),
  verifyToken: z.string(),
  apiBaseUrl: z.string().url().optional(),
});
type Config = z.infer<typeof benchMessengerConfig>;

interface Body {
  object: string;
  entry: { id: string; time: number; messaging?: { sender: { id: string }; recipient: { id: string }; timestamp: number; message?: { mid: string; text?: string; is_echo?: boolean } }[] }[];
}

export const benchMessenger: Connector<Config> = {
  kind: 'messenger',
  info: { label: 'Messenger (bench)', badge: 'FB', color: '#0866ff', configTemplate: {} },
  config: benchMessengerConfig,
  secretFields: ['pageAccessToken', 'appSecret'],
  async handshake(req, c) {
    const u = new URL(req.url);
    if (req.method !== 'GET' || u.searchParams.get('hub.mode') !== 'subscribe') return null;
    return u.searchParams.get('hub.verify_token') === c.verifyToken ? new Response(u.searchParams.get('hub.challenge') ?? '') : new Response('forbidden', { status: 403 });
  },
  async verify(req, raw, c) {
    const got = req.headers.get('x-hub-signature-256') ?? '';
    return timingSafeEqualStr(got, `sha256=${toHex(await hmacSha256(c.appSecret, raw))}`);
  },
  parse(raw) {
    const body = JSON.parse(new TextDecoder().decode(raw)) as Body;
    const out: InboundEvent[] = [];
    for (const entry of body.entry ?? []) {
      for (const m of entry.messaging ?? []) {
        if (!m.message?.mid) continue;
        const echo = Boolean(m.message.is_echo);
        const customer = echo ? m.recipient.id : m.sender.id;
        out.push({ kind: echo ? 'echo' : 'message', externalId: m.message.mid, threadKey: customer, sender: { externalId: customer },
          text: m.message.text ?? '', attachments: [], sentAt: m.timestamp });
      }
    }
    return out;
  },
  async send(c, msg) {
    const res = await fetch(`${c.apiBaseUrl ?? 'https://graph.facebook.com'}/v19.0/me/messages?access_token=${encodeURIComponent(c.pageAccessToken)}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_type: 'RESPONSE', recipient: { id: msg.recipient.externalId }, message: { text: msg.text } }),
    });
    if (!res.ok) throw new Error(`send failed: ${res.status}`);
    return { externalId: ((await res.json()) as { message_id: string }).message_id };
  },
  limits: { replyWindowHours: 24, maxTextLength: 2000, attachments: false },
};
