// The import rule of `npm run typecheck` (scripts/check-layers.mjs): arrows that point up,
// and Node-only modules in the domain, fail it; the project itself passes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts/check-layers.mjs');
let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function tree(files: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'parley-layers-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
}

const base = {
  'src/domain/core/deps.ts': "import type { Registry } from '../../../connectors/types.js';\nexport type Deps = { connectors: Registry };\n",
  'src/api/users.ts': "import type { Deps } from '../domain/core/deps.js';\nexport const d = (x: Deps) => x;\n",
  'connectors/types.ts': 'export type Registry = Map<string, unknown>;\n',
  'src/runtime/node.ts': "import '../api/users.js';\nimport { readFileSync } from 'node:fs';\n",
};

it('passes a tree whose imports point down', () => {
  const r = tree(base);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('fails when the domain imports the api, a Node module or a platform connector', () => {
  const r = tree({
    ...base,
    'src/domain/core/bad.ts': "import { d } from '../../api/users.js';\nimport { readFileSync } from 'node:fs';\nimport { x } from '../../../connectors/email/imap.js';\n",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/src\/domain\/core\/bad\.ts: domain may not import api/);
  expect(r.stderr).toMatch(/Node-only module node:fs/);
  expect(r.stderr).toMatch(/only the connector kit .* not connectors\/email\/imap\.ts/);
});

it('fails when a connector imports Parley, or the api the runtime', () => {
  const r = tree({
    ...base,
    'connectors/telegram/index.ts': "import type { Deps } from '../../src/domain/core/deps.js';\n",
    'src/api/modules.ts': "export type { X } from '../runtime/node.js';\n",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/connectors\/telegram\/index\.ts: connectors may not import domain/);
  expect(r.stderr).toMatch(/src\/api\/modules\.ts: api may not import runtime/);
});

it('the project itself follows the rule', () => {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
