// A real SMTP server (the smtp-server package) on a loopback port that keeps what it receives,
// optionally requires a login, and can be told to refuse recipients with a given reply code.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  user: string | null;
  raw: Buffer;
  mail: ParsedMail;
}

export interface SmtpSink {
  port: number;
  received: Received[];
  /** Refuse the next RCPT TO commands with this code and text (e.g. 451 or 550); null = accept. */
  refuseWith(code: number | null, text?: string): void;
  stop(): Promise<void>;
}

export async function startSmtpSink(opts: { user?: string; password?: string } = {}): Promise<SmtpSink> {
  const received: Received[] = [];
  let refusal: { code: number; text: string } | null = null;
  const server = new SMTPServer({
    disabledCommands: opts.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !opts.user,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_addr, _session, cb) {
      if (refusal) cb(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: (session.user as string | undefined) ?? null,
          raw,
          mail: await simpleParser(raw),
        });
        cb();
      });
    },
  });
  server.on('error', () => {});
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    port, received,
    refuseWith(code, text = code != null && code >= 500 ? 'Recipient address rejected: User unknown' : 'Mailbox busy, try later') {
      refusal = code == null ? null : { code, text };
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
