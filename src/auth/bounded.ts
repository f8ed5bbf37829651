// A bound on concurrent work with a bounded queue: at most `concurrency` tasks run, at most
// `queue` wait; anything beyond is refused at once (503 with Retry-After) rather than queued
// without end. Password hashing runs on libuv's small thread pool, which DNS lookups and file
// reads share: unbounded login guesses would starve them.
import { tooMany } from '../domain/core/errors.js';

export class Bounded {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly concurrency: number, readonly queue: number) {}

  get stats() { return { running: this.running, waiting: this.waiting.length }; }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw tooMany('busy', 'The server is busy checking passwords; try again in a moment', 1000, 503);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same) or free it.
      const next = this.waiting.shift();
      if (next) next(); else this.running--;
    }
  }
}
