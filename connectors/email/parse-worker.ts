// The worker side of parse-pool.ts: parses one raw mail per job, off the main event loop.
import { parentPort } from 'node:worker_threads';
import { parseEmail, type ParseOptions } from './parse.js';

export interface ParseJob { id: number; raw: Uint8Array; opts: ParseOptions }

parentPort!.on('message', async (job: ParseJob) => {
  try {
    const events = await parseEmail(job.raw, job.opts);
    parentPort!.postMessage({ id: job.id, events });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ ready: true });
