// One raw RFC 5322 message -> normalized events. mailparser decodes the transfer encodings
// (base64, quoted-printable), the charsets (GBK, GB2312, Big5, ISO-2022-JP, …) and RFC 2047/2231
// encoded names, subjects and filenames; this file decides what Parley keeps of it.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { checkMimeDepth } from './mime-depth.js';
import type { InboundAttachment, InboundEvent, InboundMessageEvent } from '../types.js';
import { splitQuoted } from './quote.js';
import { decodeRawHeaders } from './raw-headers.js';
import { labelUndetectedCharsets } from './charset-detect.js';
import { sanitizeHtml } from './sanitize.js';
import { isOwnMessageId } from './message-id.js';
import { authenticationOf } from './auth-results.js';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface ParseOptions {
  /** The inbox's own address (replies come from it; mail from it is only ours with one of our Message-IDs). */
  address: string;
  /** Key of our Message-IDs (message-id.ts); without it no mail counts as ours. */
  ownIdKey?: string;
  /** IMAP INTERNALDATE, used when the Date header is missing or broken. */
  receivedAt?: Date;
  maxAttachmentBytes?: number;
  meta?: Record<string, unknown>;
}

const MESSAGE_ID = /<[^<>\s]+>/;

/** `<id@host>` form; null for anything that is not a message id. */
export function normalizeMessageId(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = MESSAGE_ID.exec(v.trim());
  if (m) return m[0];
  const bare = v.trim();
  return /^[^<>\s@]+@[^<>\s@]+$/.test(bare) ? `<${bare}>` : null;
}

function idList(v: unknown): string[] {
  const parts = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/\s+|,/) : [];
  const out: string[] = [];
  for (const p of parts) {
    const all = String(p).match(/<[^<>\s]+>/g) ?? [normalizeMessageId(p)];
    for (const id of all) if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

/** A header's raw value (unfolded), first occurrence; '' when absent. */
export function rawHeader(mail: ParsedMail, name: string): string {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line ?? '';
  const i = line.indexOf(':');
  return i < 0 ? '' : line.slice(i + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address?: string; name?: string } {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  for (const o of list) for (const v of o.value) {
    if (v.address) return { address: v.address, name: v.name || undefined };
    for (const g of v.group ?? []) if (g.address) return { address: g.address, name: g.name || undefined };
  }
  return {};
}

function allAddresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.flatMap((v) => (v.address ? [v.address] : (v.group ?? []).flatMap((g) => (g.address ? [g.address] : [])))));
}

/** Bounces, auto-replies, vacation notices: never opens a conversation, never answered. */
export function automatedReason(mail: ParsedMail): string | null {
  const autoSubmitted = rawHeader(mail, 'auto-submitted').toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = rawHeader(mail, 'precedence').toLowerCase();
  if (/^auto_reply/.test(precedence)) return `Precedence: ${precedence}`;
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponse', 'x-auto-reply']) if (rawHeader(mail, h)) return h;
  if (rawHeader(mail, 'x-failed-recipients')) return 'X-Failed-Recipients';
  const ct = rawHeader(mail, 'content-type').toLowerCase();
  if (ct.startsWith('multipart/report')) return 'multipart/report';
  const from = (firstAddress(mail.from).address ?? '').toLowerCase();
  if (/^(mailer-daemon|postmaster|mail-daemon)@/.test(from)) return `From: ${from}`;
  if (rawHeader(mail, 'return-path') === '<>') return 'null Return-Path';
  return null;
}

/**
 * Mailing-list and bulk mail (RFC 2369 List-* headers, RFC 2919 List-Id, Precedence:
 * bulk|list|junk): a person may still need to read it, so it opens a conversation, marked, but
 * nothing answers it automatically (a list would send our auto-reply to all its members).
 */
export function bulkOf(mail: ParsedMail): InboundMessageEvent['bulk'] {
  const precedence = rawHeader(mail, 'precedence').toLowerCase();
  const listId = rawHeader(mail, 'list-id').slice(0, 300);
  const unsubscribe = rawHeader(mail, 'list-unsubscribe').slice(0, 1000);
  const reason = /^(bulk|junk|list)\b/.test(precedence) ? `Precedence: ${precedence.slice(0, 50)}`
    : listId ? 'List-Id' : unsubscribe ? 'List-Unsubscribe' : null;
  if (!reason) return undefined;
  return { reason, ...(listId ? { listId } : {}), ...(unsubscribe ? { unsubscribe } : {}) };
}

function syntheticId(source: Uint8Array): string {
  return `<${createHash('sha256').update(source).digest('hex').slice(0, 40)}@no-message-id.parley>`;
}

/** What a delivery report (RFC 3464 DSN, RFC 8098 MDN) says about the message it reports on. */
function reportOf(mail: ParsedMail, source: Uint8Array): { originalId?: string; failed?: string; read?: boolean } {
  const ct = rawHeader(mail, 'content-type').toLowerCase();
  if (!ct.startsWith('multipart/report')) return {};
  // mailparser may inline the report parts as text or keep them as attachments: read them
  // from the raw body (they are 7-bit by definition) and from any attachment alike.
  const rawText = new TextDecoder('latin1').decode(source.subarray(0, 256 * 1024));
  const headerEnd = rawText.search(/\r?\n\r?\n/);
  const bodies = [headerEnd < 0 ? '' : rawText.slice(headerEnd), ...mail.attachments.map((a) => a.content.toString('utf8'))].join('\n');
  const originalId = /^original-message-id:\s*(<[^>\s]+>)/im.exec(bodies)?.[1] ?? /^message-id:\s*(<[^>\s]+>)/im.exec(bodies)?.[1];
  let failed: string | undefined;
  if (/^action:\s*failed/im.test(bodies)) {
    const diag = /^diagnostic-code:\s*(?:smtp;\s*)?(.+(?:\r?\n[ \t].+)*)/im.exec(bodies)?.[1] ?? /^status:\s*(\S+)/im.exec(bodies)?.[1] ?? 'failed';
    failed = `Bounced: ${diag.replace(/\s+/g, ' ').trim()}`;
  }
  const read = /^disposition:.*displayed/im.test(bodies);
  return { originalId, failed, read };
}

const REPORT_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/disposition-notification', 'message/global-headers']);

function attachmentsOf(mail: ParsedMail, cap: number): { list: InboundAttachment[]; skipped: string[] } {
  const list: InboundAttachment[] = [];
  const skipped: string[] = [];
  mail.attachments.forEach((a, i) => {
    if (REPORT_PARTS.has(a.contentType.toLowerCase())) return;
    const filename = (a.filename ?? '').trim() || defaultName(a.contentType, i);
    const size = a.size ?? a.content.length;
    if (size > cap) {
      skipped.push(filename);
      list.push({ filename, contentType: a.contentType, size, refused: `the file is ${(size / 1048576).toFixed(2)} MB, over this inbox's limit of ${(cap / 1048576).toFixed(2)} MB` });
      return;
    }
    list.push({ filename, contentType: a.contentType, size, data: new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength) });
  });
  return { list, skipped };
}

function defaultName(contentType: string, i: number): string {
  const ext = ({ 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'application/pdf': 'pdf', 'message/rfc822': 'eml', 'text/plain': 'txt' } as Record<string, string>)[contentType.toLowerCase()];
  return `attachment-${i + 1}${ext ? `.${ext}` : ''}`;
}

const parseMime = (bytes: Uint8Array) => simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
  keepCidLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 5 * 1024 * 1024,
});

export async function parseEmail(source: Uint8Array, opts: ParseOptions): Promise<InboundEvent[]> {
  checkMimeDepth(source);
  const decoded = decodeRawHeaders(source);
  let mail = await parseMime(decoded);
  // U+FFFD: a text part was not the UTF-8 it claimed (or left unsaid); most mail never pays this.
  if ((mail.text ?? '').includes('\uFFFD') || (typeof mail.html === 'string' && mail.html.includes('\uFFFD'))) {
    const relabelled = await labelUndetectedCharsets(decoded);
    if (relabelled) mail = await parseMime(relabelled);
  }
  return eventsFromMail(mail, source, opts);
}

export function eventsFromMail(mail: ParsedMail, source: Uint8Array, opts: ParseOptions): InboundEvent[] {
  const own = opts.address.toLowerCase();
  const messageId = normalizeMessageId(mail.messageId) ?? syntheticId(source);
  const parentId = normalizeMessageId(mail.inReplyTo);
  const references = idList(mail.references);
  const report = reportOf(mail, source);
  const inReplyTo = [...new Set([...(parentId ? [parentId] : []), ...references.slice().reverse(), ...(report.originalId ? [report.originalId] : [])])];
  const threadKey = references[0] ?? parentId ?? report.originalId ?? messageId;

  const from = firstAddress(mail.from);
  const fromAddress = (from.address ?? '').toLowerCase();
  // Ours only by a Message-ID we generated: From: is whatever the sender typed.
  const claimsOwn = fromAddress !== '' && fromAddress === own;
  const echo = claimsOwn && isOwnMessageId(opts.ownIdKey, messageId);
  const to = firstAddress(mail.to);
  const who = echo ? { address: (to.address ?? '').toLowerCase(), name: to.name } : { address: fromAddress, name: from.name };
  const externalId = who.address || `unknown:${messageId}`;

  const fullText = (mail.text ?? '').replace(/\r\n?/g, '\n').trim();
  const { visible, quoted } = splitQuoted(fullText);
  const html = typeof mail.html === 'string' && mail.html ? sanitizeHtml(mail.html) : '';
  const { list: attachments, skipped } = attachmentsOf(mail, opts.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES);
  const automated = automatedReason(mail);
  // A true auto-reply sent by a list server stays automated (it must not open a conversation).
  const bulk = automated ? undefined : bulkOf(mail);
  const sentAt = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : (opts.receivedAt?.getTime() ?? Date.now());
  const cc = allAddresses(mail.cc);
  const auth = authenticationOf(mail.headerLines);

  const meta: Record<string, unknown> = {
    ...(opts.meta ?? {}),
    email: {
      messageId,
      from: fromAddress || null,
      to: allAddresses(mail.to),
      ...(cc.length ? { cc } : {}),
      ...(rawHeader(mail, 'reply-to') ? { replyTo: allAddresses(mail.replyTo) } : {}),
    },
    ...(quoted ? { quotedText: quoted } : {}),
    ...(auth ? { authentication: auth.results } : {}),
    ...((auth?.failed || (claimsOwn && !echo)) ? { unverifiedSender: true, unverifiedReason: claimsOwn && !echo ? 'claims to be from this inbox\'s own address' : auth!.failed } : {}),
    ...(automated ? { automatedReason: automated } : {}),
    ...(skipped.length ? { attachmentsNotStored: skipped, attachmentLimitBytes: opts.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES } : {}),
  };

  const message: InboundMessageEvent = {
    kind: echo ? 'echo' : 'message',
    externalId: messageId,
    threadKey,
    sender: { externalId, email: who.address || undefined, name: who.name || undefined },
    text: visible,
    ...(html ? { html } : {}),
    ...(mail.subject ? { subject: mail.subject.trim() } : {}),
    attachments,
    sentAt,
    ...(inReplyTo.length ? { inReplyTo } : {}),
    ...(automated ? { automated: true } : {}),
    ...(bulk ? { bulk } : {}),
    meta,
  };
  const events: InboundEvent[] = [message];
  // A delivery report counts only for a Message-ID we generated, and a bounce only when it
  // looks like a mail server's (null sender, MAILER-DAEMON/postmaster): anyone can send a
  // multipart/report naming an id they saw in a reply.
  if (!isOwnMessageId(opts.ownIdKey, report.originalId)) return events;
  const fromServer = rawHeader(mail, 'return-path') === '<>' || /^(mailer-daemon|postmaster|mail-daemon)@/.test(fromAddress) || !!rawHeader(mail, 'x-failed-recipients');
  if (report.originalId && report.failed && fromServer) events.push({ kind: 'status', externalId: report.originalId, status: 'failed', error: report.failed, at: sentAt });
  else if (report.originalId && report.read) events.push({ kind: 'status', externalId: report.originalId, status: 'read', at: sentAt });
  return events;
}

/** The few headers read without a MIME parser (bounded scan of the head, linear regexes). */
function scanHead(source: Uint8Array) {
  const head = new TextDecoder('latin1').decode(source.subarray(0, 64 * 1024));
  const end = head.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const id = normalizeMessageId(/^message-id:[ \t]*(.+)$/im.exec(headers)?.[1]) ?? syntheticId(source);
  const from = /^from:[^\n]*?([^\s<>"]+@[^\s<>"]+)/im.exec(headers)?.[1]?.toLowerCase() ?? `unknown:${id}`;
  const subject = /^subject:[ \t]*([^\r\n]{1,500})/im.exec(headers)?.[1]?.trim();
  return { id, from, subject };
}

/** When a message cannot be parsed at all, keep a trace rather than blocking the mailbox. */
export function unreadableEvent(source: Uint8Array, err: unknown, opts: ParseOptions): InboundMessageEvent {
  const { id, from } = scanHead(source);
  return {
    kind: 'message', externalId: id, threadKey: id, sender: { externalId: from, ...(from.includes('@') && !from.startsWith('unknown:') ? { email: from } : {}) },
    text: `(Parley could not read this email: ${err instanceof Error ? err.message : String(err)})`,
    attachments: [], sentAt: opts.receivedAt?.getTime() ?? Date.now(), meta: { ...(opts.meta ?? {}), unreadable: true },
  };
}

/**
 * A mail over the parse budget (time or size): a message saying so, with the original as an
 * .eml attachment an agent can open. Never an echo (it proves nothing about who sent it).
 */
export function partlyReadEvent(source: Uint8Array, why: string, opts: ParseOptions): InboundMessageEvent {
  const { id, from, subject } = scanHead(source);
  return {
    kind: 'message', externalId: id, threadKey: id,
    sender: { externalId: from, ...(from.includes('@') && !from.startsWith('unknown:') ? { email: from } : {}) },
    text: `(Parley could not fully read this email: ${why}. The original is attached as original.eml.)`,
    ...(subject ? { subject } : {}),
    attachments: [{ filename: 'original.eml', contentType: 'message/rfc822', size: source.byteLength, data: source }],
    sentAt: opts.receivedAt?.getTime() ?? Date.now(),
    meta: { ...(opts.meta ?? {}), unreadable: true, unreadableReason: why },
  };
}
