// Module 'access': the audit log, API tokens and sessions, user administration (role,
// disable), and reply targets. Registered with one line in src/api/modules.ts.
import type { Module } from './modules.js';
import { auditRoutes } from './audit.js';
import { router } from './env.js';
import { replyTargetRoutes } from './reply-target.js';
import { userSessionRoutes } from './user-sessions.js';

export const accessModule: Module = {
  name: 'access',
  api: () => {
    const app = router();
    app.route('/', auditRoutes());
    app.route('/', replyTargetRoutes());
    app.route('/', userSessionRoutes());
    return app;
  },
};
