// WhatsApp messages that are not text or media, as an agent reads them: locations with a map
// link, shared contact cards, catalog orders with their total, Flow answers, and the
// click-to-WhatsApp referral the customer came from. What was sent stays in meta.
import type { z } from 'zod';
import type { waInboundMessage, waReferral } from './wire.js';

type Msg = z.infer<typeof waInboundMessage>;
export interface Content { text: string; meta?: Record<string, unknown> }

export const mapLink = (lat: number, long: number) => `https://www.google.com/maps/search/?api=1&query=${lat},${long}`;

export function locationText(l: NonNullable<Msg['location']>): Content {
  const place = [l.name, l.address].filter(Boolean).join(', ');
  return {
    text: `📍 ${place ? `${place}: ` : 'Location: '}${l.latitude}, ${l.longitude} ${mapLink(l.latitude, l.longitude)}`,
    meta: { location: { latitude: l.latitude, longitude: l.longitude, ...(l.name ? { name: l.name } : {}), ...(l.address ? { address: l.address } : {}) } },
  };
}

export function contactsText(cards: NonNullable<Msg['contacts']>): Content {
  const contacts = cards.slice(0, 20).map((c) => ({
    name: c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ') ?? '',
    phones: (c.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : '')).filter(Boolean),
    emails: (c.emails ?? []).map((e) => e.email ?? '').filter(Boolean),
  }));
  const lines = contacts.map((c) => `👤 ${[c.name || 'Contact', ...c.phones, ...c.emails].join(' ')}`);
  return { text: lines.join('\n'), meta: { contacts } };
}

export function orderText(o: NonNullable<Msg['order']>): Content {
  const items = o.product_items.slice(0, 100);
  const currency = items.find((i) => i.currency)?.currency ?? '';
  const total = items.reduce((sum, i) => sum + (i.item_price ?? 0) * i.quantity, 0);
  const lines = items.map((i) => `${i.quantity} × ${i.product_retailer_id}${i.item_price != null ? ` (${i.item_price} ${i.currency ?? ''})`.replace(' )', ')') : ''}`);
  return {
    text: [`🛒 Order${o.text ? `: ${o.text}` : ''}`, ...lines, `Total: ${Math.round(total * 100) / 100} ${currency}`.trim()].join('\n'),
    meta: { order: { catalogId: o.catalog_id ?? null, items: items.map((i) => ({ id: i.product_retailer_id, quantity: i.quantity, price: i.item_price ?? null, currency: i.currency ?? null })), total, currency: currency || null } },
  };
}

/** A WhatsApp Flow's answer: the body ("Sent") and the answers as fields. */
export function flowReplyText(r: { name?: string; body?: string; response_json?: string }): Content {
  let response: Record<string, unknown> = {};
  try { const v = JSON.parse(r.response_json ?? '{}'); if (v && typeof v === 'object') response = v as Record<string, unknown>; } catch { /* kept raw below */ }
  const fields = Object.entries(response).filter(([k]) => k !== 'flow_token').slice(0, 50).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return { text: [`📝 ${r.body || 'Form sent'}`, ...fields].join('\n'), meta: { flow: { name: r.name ?? null, response, ...(Object.keys(response).length ? {} : { raw: r.response_json ?? null }) } } };
}

export function waOrigin(r: z.infer<typeof waReferral>): Record<string, unknown> {
  return {
    source: 'click_to_whatsapp',
    ...(r.source_type ? { type: r.source_type } : {}),
    ...(r.source_id ? { adId: r.source_id } : {}),
    ...(r.headline ? { adTitle: r.headline } : {}),
    ...(r.source_url ? { url: r.source_url } : {}),
    ...(r.ctwa_clid ? { clickId: r.ctwa_clid } : {}),
  };
}

export const describeWaReferral = (r: z.infer<typeof waReferral>) =>
  `Came from ${r.source_type === 'post' ? 'a post' : 'an ad'}${r.headline ? ` "${r.headline}"` : ''}${r.source_url ? ` ${r.source_url}` : ''}`;
