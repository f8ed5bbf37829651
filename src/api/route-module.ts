// A module made of route groups mounted side by side under /api/v1, in the order given (the
// first group whose route matches answers).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { router, type AppEnv } from './env.js';
import type { Module } from './modules.js';

export const routeModule = (name: string, groups: (() => OpenAPIHono<AppEnv>)[]): Module => ({
  name,
  api: () => {
    const app = router();
    for (const routes of groups) app.route('/', routes());
    return app;
  },
});
