// Routes of the assignment workflow: teams, availability, canned responses and the labels
// list. Its reactions (auto-assignment, @mentions) are the domain's (src/domain/reactions.ts).
import type { Module } from './modules.js';
import { availabilityRoutes } from './availability.js';
import { cannedRoutes } from './canned.js';
import { router } from './env.js';
import { labelRoutes } from './labels.js';
import { teamRoutes } from './teams.js';

export const workflowAssignModule: Module = {
  name: 'workflow-assign',
  api: () => {
    const app = router();
    app.route('/', teamRoutes());
    app.route('/', availabilityRoutes());
    app.route('/', cannedRoutes());
    app.route('/', labelRoutes());
    return app;
  },
};
