#!/usr/bin/env node
// `npm test` runs this first (the `pretest` script): the suite talks to a real IMAP server and a
// real browser, so a fresh machine must get them before any test starts, not fail five files
// ninety seconds in. Plain JavaScript on purpose: it runs before anything is compiled, and when
// everything is there it only checks a few paths (a few tens of milliseconds).
//
// Overrides, for the test of this script (tests/provision.test.ts): PARLEY_PROVISION_ROOT
// prefixes every path checked, PARLEY_PROVISION_UID and PARLEY_PROVISION_PLATFORM stand in for
// the process's uid and platform. None of them can make the script install more than it would.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const root = process.env.PARLEY_PROVISION_ROOT ?? '';
const platform = process.env.PARLEY_PROVISION_PLATFORM ?? process.platform;
const uid = process.env.PARLEY_PROVISION_UID != null ? Number(process.env.PARLEY_PROVISION_UID) : process.getuid?.();

/** What the tests need from the system, the Debian package that brings it, and why. */
const requirements = [
  {
    name: 'dovecot',
    files: ['/usr/sbin/dovecot', '/usr/bin/dovecot'],
    onPath: 'dovecot',
    apt: 'dovecot-imapd',
    brew: 'dovecot',
    why: 'the email tests read mail from a real IMAP server',
  },
  {
    name: 'chromium',
    files: [process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'],
    apt: 'chromium',
    brew: '--cask chromium (then set CHROMIUM_PATH to its binary)',
    why: 'the web app tests drive a real browser',
  },
  {
    name: 'Noto CJK fonts',
    files: ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'],
    apt: 'fonts-noto-cjk',
    why: 'screenshots of the web app show Chinese text, not boxes',
    linuxOnly: true, // macOS ships CJK fonts
  },
];

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function findOnPath(program) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, program))) return join(dir, program);
  }
  return null;
}

const present = (r) =>
  r.files.some((f) => existsSync(root + f)) || (r.onPath != null && !root && findOnPath(r.onPath) != null);

const relevant = requirements.filter((r) => !(r.linuxOnly && platform !== 'linux'));
let missing = relevant.filter((r) => !present(r));
if (missing.length === 0) process.exit(0);

const names = missing.map((r) => r.name).join(', ');
const aptPackages = missing.map((r) => r.apt).join(' ');
const aptLine = `apt-get install -y --no-install-recommends ${aptPackages}`;

function refuse(reason, howToInstall) {
  console.error(
    `npm test needs ${names}, missing on this machine, and cannot install ${missing.length > 1 ? 'them' : 'it'} (${reason}).\n` +
      missing.map((r) => `  - ${r.name}: ${r.why}\n`).join('') +
      `Install with:\n  ${howToInstall}\nthen run npm test again.`,
  );
  process.exit(1);
}

if (platform === 'darwin') {
  refuse('macOS has no apt-get', missing.filter((r) => r.brew).map((r) => `brew install ${r.brew}`).join('\n  '));
}
const aptGet = findOnPath('apt-get');
if (platform !== 'linux' || !aptGet) {
  refuse(platform === 'linux' ? 'no apt-get on this system' : `no installer for ${platform}`, `your system's package manager (on Debian or Ubuntu: sudo ${aptLine})`);
}
if (uid !== 0) refuse('not running as root', `sudo ${aptLine}`);

console.log(`npm test: installing ${aptPackages} with apt-get (${missing.map((r) => r.why).join('; ')})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing.map((r) => r.apt)]]) {
  const run = spawnSync(aptGet, args, { stdio: 'inherit', env });
  if (run.status !== 0) {
    console.error(`npm test: "apt-get ${args.join(' ')}" failed (exit ${run.status ?? run.signal}); no test was run.`);
    process.exit(1);
  }
}
missing = missing.filter((r) => !present(r));
if (missing.length > 0) {
  console.error(`npm test: apt-get finished but ${missing.map((r) => r.name).join(', ')} is still missing; no test was run.`);
  process.exit(1);
}
