// Our own Message-IDs carry a MAC: `<parley message id>.<16 hex>@<our domain>`. That is how mail
// is recognised as ours (an echo of a reply, a bounce of it): the From address proves nothing,
// anyone can write From: support@… The key is derived from the inbox's IMAP password and
// address, so it needs no stored state; changing the password only means mail sent before no
// longer counts as ours (a later bounce of it is stored, not applied).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmailConfig } from './config.js';

/** The per-inbox key (hex): passed to the parse worker, which cannot take functions. */
export const messageIdKey = (c: Pick<EmailConfig, 'address' | 'imap'>) =>
  createHmac('sha256', c.imap.password).update(`parley-message-id\0${c.address.toLowerCase()}`).digest('hex');

const tag = (key: string, local: string) => createHmac('sha256', key).update(local).digest('hex').slice(0, 16);

export function ownMessageId(key: string, parleyMessageId: string, domain: string): string {
  const local = parleyMessageId.toLowerCase();
  return `<${local}.${tag(key, local)}@${domain}>`;
}

export function isOwnMessageId(key: string | undefined, id: string | null | undefined): boolean {
  if (!key || !id) return false;
  const m = /^<([0-9a-z]{1,64})\.([0-9a-f]{16})@[^<>\s@]+>$/i.exec(id);
  if (!m) return false;
  const want = Buffer.from(tag(key, m[1].toLowerCase()));
  const got = Buffer.from(m[2].toLowerCase());
  return want.length === got.length && timingSafeEqual(want, got);
}
