#!/usr/bin/env node
// The import rule (run by `npm run typecheck`, so CI fails when an arrow points up):
//   runtime -> app -> api -> auth -> domain -> (store port, connector types)
// and a connector never imports Parley's src/. The domain also imports no Node-only module
// (its types are checked without Node's by tsconfig.workers.json). docs/architecture.md draws it.
// Usage: node scripts/check-layers.mjs [root]   (exit 1 with one line per violation)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';

const root = process.argv[2] ?? process.cwd();

/** Which layer a repository path belongs to, or null for what the rule does not cover. */
function layer(p) {
  if (p === 'src/cli.ts' || p.startsWith('src/runtime/')) return 'runtime';
  if (p === 'src/app.ts') return 'app';
  if (p.startsWith('src/web/')) return 'web';
  if (p.startsWith('src/api/')) return 'api';
  if (p.startsWith('src/auth/')) return 'auth';
  if (p.startsWith('src/domain/')) return 'domain';
  if (p.startsWith('db/')) return 'schema';
  if (p.startsWith('connectors/')) return 'connectors';
  return null;
}

// What each layer may import besides itself.
const MAY_IMPORT = {
  runtime: ['app', 'web', 'api', 'auth', 'domain', 'schema', 'connectors'],
  app: ['web', 'api', 'auth', 'domain', 'connectors'],
  web: ['domain'],
  api: ['auth', 'domain', 'connectors'],
  auth: ['domain', 'connectors'],
  domain: ['schema', 'connectors'],
  schema: [],
  connectors: [],
};
// The part of connectors/ the layers above the runtime may name: the shared, platform-free kit.
const CONNECTOR_KIT = new Set(['connectors/types.ts', 'connectors/signing.ts', 'connectors/retry-after.ts']);
const KIT_ONLY = new Set(['domain', 'auth', 'web']);
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const NODE_ONLY_PACKAGES = new Set(['better-sqlite3', 'imapflow', 'nodemailer', 'mailparser', 'undici', 'node-cron', '@hono/node-server', 'pino']);

function* sources(dir) {
  for (const name of readdirSync(join(root, dir))) {
    const p = `${dir}/${name}`;
    if (statSync(join(root, p)).isDirectory()) yield* sources(p);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
const problems = [];
for (const top of ['src', 'connectors', 'db']) {
  let files;
  try { files = [...sources(top)]; } catch { continue; }
  for (const file of files) {
    const from = layer(file);
    if (!from) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
        const to = layer(target);
        if (!to || to === from) continue;
        if (!MAY_IMPORT[from].includes(to)) problems.push(`${file}: ${from} may not import ${to} (${target})`);
        else if (to === 'connectors' && KIT_ONLY.has(from) && !CONNECTOR_KIT.has(target)) {
          problems.push(`${file}: ${from} may import only the connector kit (${[...CONNECTOR_KIT].join(', ')}), not ${target}`);
        }
      } else if (from === 'domain' && (NODE_BUILTINS.has(spec) || NODE_ONLY_PACKAGES.has(spec))) {
        problems.push(`${file}: the domain runs on Workers too and may not import the Node-only module ${spec}`);
      }
    }
  }
}

if (problems.length) {
  console.error(`check-layers: ${problems.length} import(s) against the layer rule (docs/architecture.md):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-layers: every import points down (${relative(process.cwd(), root) || '.'})`);
