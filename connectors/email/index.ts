// Email: IMAP in (polled with imapflow), SMTP out (nodemailer). See docs/email.md.
// Node only (IMAP and SMTP need raw sockets).
import type { Connector } from '../types.js';
import { emailConfig, type EmailConfig } from './config.js';
import { pollMailbox } from './imap.js';
import { sendEmail } from './smtp.js';

export { emailConfig, type EmailConfig } from './config.js';

export const email: Connector<EmailConfig> = {
  kind: 'email',
  config: emailConfig,
  secretFields: ['imap.password', 'smtp.password'],
  poll: (c, cursor, signal) => pollMailbox(c, cursor, signal),
  pollSeconds: (c) => c.pollSeconds ?? 60,
  send: (c, msg) => sendEmail(c, msg),
  limits: { attachments: true, maxTextLength: 100_000 },
};
