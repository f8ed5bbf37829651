// Email: IMAP in (imapflow: IDLE on one connection per inbox, polling as the fallback), SMTP out (nodemailer). See docs/email.md.
// IMAP and SMTP need raw sockets (Node runtime); the socket libraries are loaded on first use,
// so importing the registry stays cheap and free of net/tls.
import type { Connector } from '../types.js';
import { emailConfig, type EmailConfig } from './config.js';

export { emailConfig, type EmailConfig } from './config.js';

export const email: Connector<EmailConfig> = {
  kind: 'email',
  info: {
    label: 'Email', badge: 'MAIL', color: '#7c3aed',
    configTemplate: { address: 'support@example.com', imap: { host: 'imap.example.com', port: 993, secure: true, user: '', password: '' }, smtp: { host: 'smtp.example.com', port: 465, secure: true, user: '', password: '' } },
  },
  config: emailConfig,
  secretFields: ['imap.password', 'smtp.password', 'mailApi.apiKey'],
  async poll(c, cursor, signal) {
    const { pollMailbox } = await import('./imap.js');
    return pollMailbox(c, cursor, signal);
  },
  openSession(c, hooks) {
    // The session class lives with imapflow (loaded on first use); this proxy loads it lazily.
    let session: Promise<import('./imap.js').MailboxSession> | null = null;
    const get = () => (session ??= import('./imap.js').then((m) => new m.MailboxSession(c, hooks)));
    return {
      poll: async (cursor, signal) => (await get()).poll(cursor, signal),
      waitForNews: async (maxMs, signal) => (await get()).waitForNews(maxMs, signal),
      close: async () => { if (session) await (await session).close(); },
    };
  },
  // With IDLE this is the fallback: how often the folder is searched anyway.
  pollSeconds: (c) => c.pollSeconds ?? 60,
  // Email Routing (Workers) pushes each message to the address: the same parser as IMAP's.
  receivesFor: (c) => c.address.toLowerCase(),
  async receive(raw, c) {
    const { parseEmail } = await import('./parse.js');
    return parseEmail(raw, { address: c.address });
  },
  async send(c, msg) {
    // An HTTP mail API when the inbox names one (Workers: no raw TCP for SMTP), else SMTP.
    if (c.mailApi) {
      const { sendWithMailApi } = await import('./mail-api.js');
      return sendWithMailApi(c, c.mailApi, msg);
    }
    const { sendEmail } = await import('./smtp.js');
    return sendEmail(c, msg);
  },
  // Replies join by In-Reply-To, so a new thread only needs a unique key.
  startsThreads: { by: 'email', threadKey: 'unique' },
  // Most mail servers refuse messages over ~25 MB, and base64 adds a third.
  limits: {
    attachments: true, maxTextLength: 100_000,
    media: { inboundMaxBytes: 50 * 1048576, outbound: { maxFiles: 10, filesPerMessage: 10, captions: true, types: [{ type: '*', maxBytes: 18 * 1048576 }] } },
  },
};
