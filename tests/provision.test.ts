// The script `npm test` runs first (pretest): it installs the system services the suite uses,
// or stops before any test with the one command that installs them. Run here against a fake
// file system root, a stand-in uid and platform, and a fake apt-get that records its calls.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(repo, 'scripts', 'provision-test-services.mjs');
const dir = mkdtempSync(join(tmpdir(), 'parley-provision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const allFiles = ['/usr/sbin/dovecot', '/usr/bin/chromium', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];

function fakeRoot(name: string, files: string[]): string {
  const root = join(dir, name);
  for (const f of files) {
    mkdirSync(dirname(root + f), { recursive: true });
    writeFileSync(root + f, '');
  }
  mkdirSync(root, { recursive: true });
  return root;
}

/** A fake apt-get that logs its arguments and, on install, creates the files under `root`. */
function fakeAptGet(name: string, root: string, exitCode = 0): { bin: string; log: string } {
  const bin = join(dir, name, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, name, 'apt.log');
  const creates = allFiles.map((f) => `mkdir -p "${dirname(root + f)}" && : > "${root + f}"`).join('\n  ');
  writeFileSync(
    join(bin, 'apt-get'),
    `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> "${log}"\necho "Reading package lists..."\n` +
      `if [ "$1" = install ]; then\n  [ ${exitCode} = 0 ] && ${creates.replaceAll('\n  ', ' && ')}\n  exit ${exitCode}\nfi\n`,
  );
  chmodSync(join(bin, 'apt-get'), 0o755);
  return { bin, log };
}

function provision(env: Record<string, string>) {
  const run = spawnSync(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm test provisioning (scripts/provision-test-services.mjs)', () => {
  it('does nothing and says nothing when everything is installed', () => {
    const root = fakeRoot('complete', allFiles);
    const { bin, log } = fakeAptGet('complete', root);
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '0', PATH: `${bin}:/usr/bin:/bin` });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(log)).toBe(false);
  });

  it('as root with apt: says what it installs and why in one line, then runs apt-get update and install', () => {
    const root = fakeRoot('root-apt', ['/usr/sbin/dovecot']);
    const { bin, log } = fakeAptGet('root-apt', root);
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '0', PARLEY_PROVISION_PLATFORM: 'linux', PATH: `${bin}:/usr/bin:/bin` });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^npm test: installing chromium fonts-noto-cjk with apt-get \(.*browser.*Chinese.*\)$/);
    expect(lines.slice(1).every((l) => l === 'Reading package lists...')).toBe(true); // apt's own output follows
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'noninteractive update',
      'noninteractive install -y --no-install-recommends chromium fonts-noto-cjk',
    ]);
  });

  it('stops with the sudo command when not root, before installing anything', () => {
    const root = fakeRoot('not-root', []);
    const { bin, log } = fakeAptGet('not-root', root);
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '1000', PARLEY_PROVISION_PLATFORM: 'linux', PATH: `${bin}:/usr/bin:/bin` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('npm test needs dovecot, chromium, Noto CJK fonts');
    expect(r.stderr).toContain('not running as root');
    expect(r.stderr).toContain('sudo apt-get install -y --no-install-recommends dovecot-imapd chromium fonts-noto-cjk');
    expect(existsSync(log)).toBe(false);
  });

  it('stops naming the packages when there is no apt-get', () => {
    const root = fakeRoot('no-apt', allFiles.slice(1));
    const emptyBin = join(dir, 'no-apt', 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '0', PARLEY_PROVISION_PLATFORM: 'linux', PATH: emptyBin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm test needs dovecot, missing on this machine');
    expect(r.stderr).toContain('no apt-get on this system');
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends dovecot-imapd');
  });

  it('on macOS names the Homebrew commands and does not ask for the Linux fonts', () => {
    const root = fakeRoot('darwin', []);
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '501', PARLEY_PROVISION_PLATFORM: 'darwin' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm test needs dovecot, chromium, missing');
    expect(r.stderr).toContain('brew install dovecot');
    expect(r.stderr).toContain('brew install --cask chromium');
    expect(r.stderr).not.toContain('fonts');
  });

  it('stops, running no test, when apt-get fails', () => {
    const root = fakeRoot('apt-fails', []);
    const { bin } = fakeAptGet('apt-fails', root, 100);
    const r = provision({ PARLEY_PROVISION_ROOT: root, PARLEY_PROVISION_UID: '0', PARLEY_PROVISION_PLATFORM: 'linux', PATH: `${bin}:/usr/bin:/bin` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"apt-get install -y --no-install-recommends dovecot-imapd chromium fonts-noto-cjk" failed (exit 100); no test was run.');
  });

  it('is wired as the test command\'s first step', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(pkg.scripts.pretest).toBe('node scripts/provision-test-services.mjs');
  });
});
