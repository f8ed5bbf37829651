// The optional modules wired into the Node runtime (workflow, contacts, search, ...).
// Each adds API routes and/or subscribes to the event bus; the core app works without them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../api/env.js';
import type { Deps } from '../domain/deps.js';

export const extraApiModules: ((deps: Deps) => OpenAPIHono<AppEnv>)[] = [];

export function installWorkflow(_deps: Deps): void {}
