// Parley as a real server process (`src/runtime/node.ts`, what `npm start` runs) on a given
// store, for tests that kill it: the URL it prints is read from its stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ParleyProcess {
  url: string;
  proc: ChildProcess;
  /** Sends the signal and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = join(import.meta.dirname, '../..');

export async function spawnParley(dbFile: string, env: Record<string, string> = {}): Promise<ParleyProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/runtime/node.ts')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PARLEY_DB: dbFile, PARLEY_SECRET: 'test-secret-test-secret',
      PARLEY_LOG_LEVEL: 'error', PARLEY_ALLOW_PRIVATE_NETWORK: '1', ...env },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (l) => { const m = /Parley listening on (\S+)/.exec(l); if (m) resolve(m[1]); });
    void exited.then((e) => reject(new Error(`Parley exited before listening: ${JSON.stringify(e)}`)));
  });
  return { url, proc, kill: (signal) => { proc.kill(signal); return exited; } };
}

/** A small seeded generator (mulberry32, bench/data.ts), so a failing run repeats with its seed. */
export { prng as seededRandom } from '../../bench/data.js';
