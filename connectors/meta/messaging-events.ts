// Messenger/Instagram items that are not plain text or media, made into what an agent sees:
// postbacks (buttons, Get Started, icebreakers), referrals (ads, m.me links), shares, story
// replies and mentions, reels, locations, templates, opt-ins. Media files (image, video,
// audio, file) are left to the attachment path in messaging.ts.
import type { MessagingAttachment, MessagingReferral } from './wire.js';

/** Attachment types that carry no downloadable media: described as text (+ link) instead. */
export const DESCRIBED_ATTACHMENTS = new Set(['location', 'fallback', 'share', 'story_mention', 'ig_reel', 'reel', 'template', 'like_heart', 'ig_post', 'product']);

/** Messenger's "like" button sticker (the big thumbs-up). */
const THUMBS_UP_STICKERS = new Set(['369239263222822', '369239343222814', '369239383222810']);

export const mapLink = (lat: number, long: number) => `https://www.google.com/maps/search/?api=1&query=${lat},${long}`;

export interface Described { text: string; meta?: Record<string, unknown> }

/** A non-media attachment -> a line of text and what to keep in meta; null = not one of these. */
export function describeAttachment(a: MessagingAttachment): Described | null {
  const p: NonNullable<MessagingAttachment["payload"]> = a.payload ?? { url: undefined, title: undefined };
  const url = p.url ?? a.url;
  const title = p.title ?? a.title;
  switch (a.type) {
    case 'location': {
      const c = p.coordinates;
      if (!c) return { text: `📍 ${title ?? 'Location'}${url ? ` ${url}` : ''}` };
      return { text: `📍 ${title ?? 'Location'}: ${c.lat}, ${c.long} ${mapLink(c.lat, c.long)}`, meta: { location: { latitude: c.lat, longitude: c.long, ...(title ? { name: title } : {}) } } };
    }
    case 'story_mention': return { text: `Mentioned you in their story${url ? `: ${url}` : ''}`, meta: { storyMention: { url: url ?? null } } };
    case 'ig_reel': case 'reel': {
      const reelUrl = url && url.startsWith('/') ? `https://www.instagram.com${url}` : url;
      return { text: `Shared a reel${title ? `: ${title}` : ''}${reelUrl ? ` ${reelUrl}` : ''}`, meta: { share: { type: 'reel', url: reelUrl ?? null, title: title ?? null, reelId: p.reel_video_id != null ? String(p.reel_video_id) : null } } };
    }
    case 'share': case 'ig_post': case 'fallback': case 'product':
      return { text: `Shared${title ? `: ${title}` : ''}${url ? ` ${url}` : ''}`.trim(), meta: { share: { type: a.type, url: url ?? null, title: title ?? null } } };
    case 'template': {
      const first = p.elements?.[0];
      const what = first?.title ?? title ?? p.template_type ?? 'template';
      return { text: `[${p.template_type ?? 'template'}] ${what}${first?.item_url ?? url ? ` ${first?.item_url ?? url}` : ''}`, meta: { template: { type: p.template_type ?? null } } };
    }
    case 'like_heart': return { text: '❤️', meta: { like: 'heart' } };
    default: return null;
  }
}

/** A sticker that is Messenger's like button -> 👍 (kept as text, like the app shows it). */
export function stickerText(a: MessagingAttachment): Described | null {
  const id = a.payload?.sticker_id;
  if (id == null) return null;
  return THUMBS_UP_STICKERS.has(String(id)) ? { text: '👍', meta: { sticker: String(id) } } : null;
}

/** Where the customer came from, as kept on the conversation. */
export function originOf(r: MessagingReferral): Record<string, unknown> {
  const ad = r.ads_context_data;
  return {
    source: (r.source ?? 'unknown').toLowerCase(),
    ...(r.type ? { type: r.type } : {}),
    ...(r.ref ? { ref: r.ref } : {}),
    ...(r.ad_id != null ? { adId: String(r.ad_id) } : {}),
    ...(ad?.ad_title ? { adTitle: ad.ad_title } : {}),
    ...(ad?.post_id ? { postId: ad.post_id } : {}),
    ...(r.referer_uri ? { url: r.referer_uri } : {}),
  };
}

export function describeReferral(r: MessagingReferral): string {
  const src = (r.source ?? '').toUpperCase();
  const what = src === 'ADS' ? `an ad${r.ads_context_data?.ad_title ? ` "${r.ads_context_data.ad_title}"` : r.ad_id ? ` (${r.ad_id})` : ''}`
    : src === 'SHORTLINK' ? 'an m.me link'
    : src === 'CUSTOMER_CHAT_PLUGIN' ? 'the chat plugin'
    : src ? src.toLowerCase().replaceAll('_', ' ') : 'a referral';
  return `Came from ${what}${r.ref ? ` (ref: ${r.ref})` : ''}`;
}

/** Epoch ms from what the wire carries (ms numbers; seconds, numeric or ISO strings in some tools). 0 = unknown. */
export function toMs(v: number | string | undefined): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}
