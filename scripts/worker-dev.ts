// `npm run worker:dev`: the Worker under workerd (wrangler dev --local) on PORT (default 8787)
// with a local D1 (migrations applied first), Queues, the events Durable Object and static
// assets, all kept in PARLEY_WORKER_STATE (default .wrangler/state). The admin bootstrap reads
// PARLEY_ADMIN_EMAIL / PARLEY_ADMIN_PASSWORD as `npm start` does. Nothing is downloaded:
// workerd ships in its npm package.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKeyText } from '../src/domain/core/secret-box.js';

const port = process.env.PORT ?? '8787';
const state = process.env.PARLEY_WORKER_STATE ?? '.wrangler/state';
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_UPDATE_NOTIFIER: '1' };
const wrangler = (args: string[]) => ['wrangler', ...args];

// The static assets are served from dist/web: build them (about a second) so they match the sources.
const web = spawnSync('npx', ['tsx', 'scripts/build-web.ts'], { stdio: 'inherit', env });
if (web.status !== 0) process.exit(web.status ?? 1);

const migrate = spawnSync('npx', wrangler(['d1', 'migrations', 'apply', 'parley', '--local', '--persist-to', state]), { stdio: 'inherit', env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// The key sealing secrets at rest (a deployed Worker has it from `wrangler secret put`): kept
// beside the local state so the same local D1 opens again on the next start.
if (!process.env.PARLEY_SECRET_KEY) {
  const keyFile = join(state, 'secret.key');
  if (!existsSync(keyFile)) { mkdirSync(state, { recursive: true }); writeFileSync(keyFile, `${newKeyText()}\n`, { mode: 0o600 }); }
  env.PARLEY_SECRET_KEY = process.env.PARLEY_SECRET_KEY = readFileSync(keyFile, 'utf8').trim();
}

const vars = ['PARLEY_ADMIN_EMAIL', 'PARLEY_ADMIN_PASSWORD', 'PARLEY_SECRET', 'PARLEY_SECRET_KEY', 'PARLEY_PUBLIC_URL', 'PARLEY_LOG_LEVEL', 'PARLEY_ALLOW_PRIVATE_NETWORK']
  .filter((k) => process.env[k] !== undefined).flatMap((k) => ['--var', `${k}:${process.env[k]}`]);
const dev = spawn('npx', wrangler(['dev', '--local', '--port', port, '--ip', process.env.HOST ?? '127.0.0.1', '--persist-to', state,
  '--test-scheduled', '--show-interactive-dev-session=false', ...vars]), { stdio: 'inherit', env });
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));
