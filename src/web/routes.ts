// The agents' web app (GET /) and the chat widget (GET /widget.js).
import { Hono } from 'hono';
import type { Deps } from '../domain/deps.js';

export const webRoutes = (_deps: Deps) => {
  const app = new Hono();
  app.get('/', (c) => c.html('<!doctype html><html><head><meta charset="utf-8"><title>Parley</title></head><body><h1>Parley</h1><p>The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>'));
  app.get('/widget.js', (c) => c.body('/* Parley chat widget: see issue 6 */', 200, { 'content-type': 'application/javascript; charset=utf-8' }));
  return app;
};
