// What the connector tests check after a platform answered a send with 429 and a wait: the
// outbox holds the reply until the wait is over, then sends it exactly once.
import { expect } from 'vitest';
import type { Deps } from '../../src/domain/deps.js';
import { deliverDueOutbox } from '../../src/domain/outbox/outbox.js';
import type { TestParley } from './parley.js';

type Clock = { advance(ms: number): void };

/**
 * Call after the 429 was answered with `retried: 1`. `tooEarlyMs` into the wait nothing is
 * claimed; `restMs` later (past the wait) the reply is claimed and sent, and nothing is left.
 */
export async function expectHeldThenSentOnce(deps: Deps, clock: Clock, tooEarlyMs: number, restMs: number) {
  clock.advance(tooEarlyMs);
  expect(await deliverDueOutbox(deps)).toMatchObject({ claimed: 0 });
  clock.advance(restMs);
  expect(await deliverDueOutbox(deps)).toMatchObject({ claimed: 1, sent: 1 });
  expect(await deliverDueOutbox(deps)).toMatchObject({ claimed: 0 });
}

/**
 * An agent's reply whose first send `answer429` makes the platform refuse with a wait: it is
 * retried, held, then sent exactly once (see expectHeldThenSentOnce).
 */
export async function expectRateLimitedReplySentOnce(p: TestParley, clock: Clock, conversationId: string, content: string,
  answer429: () => void, tooEarlyMs: number, restMs: number) {
  expect((await p.api.post(`/api/v1/conversations/${conversationId}/messages`, { content })).status).toBe(201);
  answer429();
  expect(await deliverDueOutbox(p.deps)).toMatchObject({ claimed: 1, retried: 1 });
  await expectHeldThenSentOnce(p.deps, clock, tooEarlyMs, restMs);
}
