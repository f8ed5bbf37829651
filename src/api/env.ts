import { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor } from '../domain/core/actor.js';
import type { Deps } from '../domain/deps.js';
import { validationHook } from './errors.js';
import type { SseTransport } from './sse.js';

/** `sseTransport`: the runtime's direct write path for live streams (Node: the socket), if any. */
export type AppEnv = { Variables: { actor: Actor; deps: Deps; sseTransport?: SseTransport } };

/** A route module: documented in OpenAPI, validation errors in the contract's shape. */
export const router = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
