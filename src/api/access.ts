// Module 'access': the audit log, API tokens and sessions, user administration (role,
// disable), and reply targets. Registered with one line in src/api/modules.ts.
import { auditRoutes } from './audit.js';
import { routeModule } from './route-module.js';
import { replyTargetRoutes } from './reply-target.js';
import { userSessionRoutes } from './user-sessions.js';

export const accessModule = routeModule('access', [auditRoutes, replyTargetRoutes, userSessionRoutes]);
