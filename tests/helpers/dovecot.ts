// A private dovecot IMAP server for tests, on a free loopback port, as PLATFORMS.md describes:
// its own base_dir/state_dir in a temp folder, a passwd-file user whose Maildir is owned by a
// non-root uid (nobody), plaintext auth on loopback. Mail is delivered with IMAP APPEND.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  /** IMAP APPEND of a raw message; returns the UID the server gave it. */
  append(raw: string | Uint8Array, mailbox?: string, internalDate?: Date): Promise<number | undefined>;
  /** Disconnects every IMAP session of the user (doveadm kick), as a server restart or network drop would. */
  kick(): Promise<void>;
  /** Successful IMAP logins so far (from dovecot's log). */
  logins(): number;
  /** Runs `fn` with a logged-in imapflow client (mailbox admin in tests: create, delete). */
  withClient<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

const MAIL_UID = 65534; // nobody: dovecot refuses to serve mail as root
const MAIL_GID = 65534;

export function dovecotAvailable(): boolean {
  return ['/usr/sbin/dovecot', '/usr/bin/dovecot'].some((p) => existsSync(p));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode != null) throw new Error(`dovecot exited (${child.exitCode}): ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('data', () => { sock.destroy(); resolve(true); }); // the IMAP greeting
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
}

export async function startDovecot(opts: { user?: string; password?: string; /** More dovecot.conf lines (e.g. imap_capability without IDLE). */ extraConfig?: string } = {}): Promise<Dovecot> {
  const user = opts.user ?? 'support';
  const password = opts.password ?? 'imap-secret';
  const dir = mkdtempSync(join(tmpdir(), 'parley-dovecot-'));
  chmodSync(dir, 0o755); // the login process (dovenull) and the mail user must traverse it
  const home = join(dir, 'home', user);
  mkdirSync(home, { recursive: true });
  chmodSync(join(dir, 'home'), 0o755);
  chownSync(home, MAIL_UID, MAIL_GID);
  const port = await freePort();
  const log = join(dir, 'dovecot.log');
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, `${user}:{PLAIN}${password}:${MAIL_UID}:${MAIL_GID}::${home}\n`);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${log}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# no anvil auth penalty for the tests' deliberate wrong passwords
login_trusted_networks = 127.0.0.0/8
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwd}
}
${opts.extraConfig ?? ''}
`);
  const child = spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
  await waitForPort(port, child, log);

  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    c.on('error', () => {});
    await c.connect();
    try { return await fn(c); } finally { await c.logout().catch(() => c.close()); }
  };

  return {
    host: '127.0.0.1', port, user, password, dir,
    withClient,
    async append(raw, mailbox = 'INBOX', internalDate) {
      return withClient(async (c) => {
        const res = await c.append(mailbox, typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw), [], internalDate);
        return res ? res.uid : undefined;
      });
    },
    async kick() {
      await new Promise<void>((resolve, reject) => {
        const k = spawn('doveadm', ['-c', conf, 'kick', user], { stdio: 'ignore' });
        k.once('error', reject);
        k.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`doveadm kick exited ${code}`))));
      });
    },
    logins: () => (existsSync(log) ? (readFileSync(log, 'utf8').match(/imap-login: (?:Info: )?Login: /g) ?? []).length : 0),
    async stop() {
      if (child.exitCode == null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** startDovecot for a test file, failing with how to install dovecot where it is missing. */
export async function startTestDovecot(): Promise<Dovecot> {
  if (!dovecotAvailable()) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (npm test installs it first)');
  return startDovecot();
}

/**
 * An email inbox's config that reads `dv` (plaintext IMAP on loopback, `mailbox` or INBOX) and
 * sends through SMTP at `smtpPort`: a test's sink, or 2525, where nothing listens, for tests
 * that never send. Other fields (batchSize, address...) are added as given.
 */
export function emailInboxConfig(dv: Dovecot, { mailbox, smtpPort = 2525, ...more }: { mailbox?: string; smtpPort?: number; [field: string]: unknown } = {}) {
  return {
    address: 'support@parley.test', allowPlaintext: true,
    imap: { host: '127.0.0.1', port: dv.port, secure: false, user: dv.user, password: dv.password, ...(mailbox ? { mailbox } : {}) },
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
    ...more,
  };
}
