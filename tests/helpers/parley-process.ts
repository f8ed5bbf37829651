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

/** mulberry32: a small seeded generator, so a failing run repeats with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
