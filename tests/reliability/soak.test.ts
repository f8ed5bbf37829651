// The short soak: `npm run soak` for a few seconds with a small mixed load must finish with
// zero errors and every reading stream complete (the command exits 1 otherwise). Its figures
// are printed, not asserted: timings belong to the soak/bench runs, not to unit tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('npm run soak (short): zero errors, every reading stream got every event, figures printed', async () => {
  const root = join(import.meta.dirname, '../..');
  const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/soak.ts'), '--duration', '15', '--streams', '30', '--stalled', '3', '--rate', '30', '--visitors', '3'], { cwd: root });
    let text = '';
    p.stdout.on('data', (d) => { text += d; });
    p.stderr.on('data', (d) => { text += d; });
    p.on('exit', (code) => resolve({ code, text }));
  });
  console.log(out.text);
  expect(out.text).toMatch(/errors: 0/);
  expect(out.text).toMatch(/0 missed some, 0 ended or failed/);
  expect(out.text).toMatch(/webhook p99: [\d.]+ ms without streams/);
  expect(out.text).toMatch(/store after pruning events: [\d.]+ MB live/);
  expect(out.code).toBe(0);
}, 120_000);
