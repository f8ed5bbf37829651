// `npm run bench -- --quick` must keep working: every scenario runs at 1/100 size and its
// correctness checks pass (each message stored once, every list/search/webhook request 2xx,
// every outbox reply sent exactly once, every mail and Telegram update of the polling rows
// stored once and threaded). Timings are printed, never asserted here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('bench --quick', () => {
  it('runs every scenario and writes one row per figure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-quick-'));
    try {
      const out = join(dir, 'results.json');
      // Not spawnSync: the worker must stay responsive to vitest while the bench runs.
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
        cwd: join(import.meta.dirname, '..'), env: { ...process.env, BENCH_DIR: dir },
      });
      let log = '';
      child.stdout.on('data', (d) => { log += d; });
      child.stderr.on('data', (d) => { log += d; });
      const timer = setTimeout(() => child.kill(), 280_000);
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      // Exit 2 = a correctness check failed (or a crash); the output says which.
      expect(status, log).toBe(0);
      const rows = JSON.parse(readFileSync(out, 'utf8')) as { figure: string; value: number; unit: string; pass: boolean }[];
      for (const scenario of ['1.', '2.', '3.', '4.', '5.', '6.', '7.', '8.']) {
        expect(rows.some((row) => row.figure.startsWith(scenario)), `scenario ${scenario} missing`).toBe(true);
      }
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(['figure', 'limit', 'pass', 'ratio', 'target', 'unit', 'value']);
        expect(Number.isFinite(row.value), row.figure).toBe(true);
      }
      expect(rows.find((row) => row.figure === '6. outbox sent exactly once')?.pass).toBe(true);
      expect(rows.find((row) => row.figure === '3b. images stored after the load (files fetched)')?.pass).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
