// GET /public/files/:id?exp=&sig= — an outgoing file for platforms that fetch by URL
// (Instagram, Twilio MMS). The signature is the permission: this file, until it expires.
import { Hono } from 'hono';
import { getAttachmentById } from '../domain/media/attachments.js';
import type { Deps } from '../domain/deps.js';
import { checkFileLink } from '../domain/media/file-links.js';
import { fileResponse } from './attachments.js';
import { errorBody } from './errors.js';

export const fileLinkRoutes = (deps: Deps) => {
  const app = new Hono();
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await checkFileLink(deps, id, c.req.query('exp'), c.req.query('sig')))) {
      return c.json(errorBody('invalid_link', 'This file link is wrong or has expired'), 403);
    }
    const file = await getAttachmentById(deps, id);
    return fileResponse(file, false, 'private, max-age=60');
  });
  return app;
};
