// The email inbox's settings, as CONTRACT.md names them (more keys allowed).
import { z } from 'zod';

const host = z.string().trim().min(1, 'host is required').max(255);
const port = z.number().int().min(1).max(65535);

export const emailConfig = z.object({
  /** The support address: replies are sent from it, mail from it is ours. */
  address: z.email(),
  /** Display name on replies, e.g. "Acme Support". */
  fromName: z.string().trim().max(200).optional(),
  imap: z.object({
    host, port, secure: z.boolean(),
    user: z.string().min(1, 'user is required'),
    password: z.string().min(1, 'password is required'),
    mailbox: z.string().min(1).max(500).optional(),
  }),
  smtp: z.object({
    host, port, secure: z.boolean(),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  }).refine((s) => !s.user || s.password, { message: 'password is required when user is set', path: ['password'] }).optional(),
  /** Replies through an HTTP mail API instead of SMTP (the way out on Workers, which has no raw
   *  TCP for nodemailer): Resend's `POST /emails`, at apiBaseUrl (default https://api.resend.com). */
  mailApi: z.object({
    provider: z.literal('resend'),
    apiKey: z.string().min(1, 'apiKey is required').max(500),
  }).optional(),
  pollSeconds: z.number().int().min(5).max(86_400).optional(),
  /** true: IMAP and SMTP may run without TLS (a local test server). Otherwise a server without
   *  implicit TLS must offer STARTTLS, or the connection is refused. */
  allowPlaintext: z.boolean().optional(),
  /** Messages per poll (each poll is stored in one atomic unit). */
  batchSize: z.number().int().min(1).max(500).optional(),
  /** On the very first poll, start after the mail already in the folder instead of importing it (= importHistory "none"). */
  skipExisting: z.boolean().optional(),
  /** First connect of a mailbox with history: import everything ("all", the default), the last
   *  `importDays` days ("recent"), or only mail arriving from now on ("none"). */
  importHistory: z.enum(['all', 'recent', 'none']).optional(),
  importDays: z.number().int().min(1).max(3650).optional(),
  /** Attachments larger than this are listed but not stored (default 10). */
  maxAttachmentMb: z.number().min(0.01).max(50).optional(),
  /** Wall time one mail may take to parse (in a worker thread) before it is stored unread with the original attached (default 15000). */
  parseTimeoutMs: z.number().int().min(10).max(120_000).optional(),
  /** Mails larger than this are stored unread with the original attached (default 30). */
  maxParseMb: z.number().min(0.01).max(60).optional(),
  /** The mail API's root when mailApi is set (tests point it at a fake); otherwise unused. */
  apiBaseUrl: z.string().optional(),
}).superRefine((c, ctx) => {
  if (!c.smtp && !c.mailApi) ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'is required (or mailApi: replies need a way out)' });
  if (c.importHistory === 'recent' && c.importDays == null) ctx.addIssue({ code: 'custom', path: ['importDays'], message: 'is required when importHistory is "recent" (how many days back to import)' });
  if (c.importDays != null && c.importHistory !== 'recent') ctx.addIssue({ code: 'custom', path: ['importHistory'], message: 'must be "recent" when importDays is set' });
  if (c.skipExisting && c.importHistory && c.importHistory !== 'none') ctx.addIssue({ code: 'custom', path: ['skipExisting'], message: 'contradicts importHistory (skipExisting means importHistory "none")' });
});
export type EmailConfig = z.infer<typeof emailConfig>;
