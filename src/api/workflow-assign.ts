// Routes of the assignment workflow: teams, availability, canned responses and the labels
// list. Its reactions (auto-assignment, @mentions) are the domain's (src/domain/reactions.ts).
import { availabilityRoutes } from './availability.js';
import { cannedRoutes } from './canned.js';
import { routeModule } from './route-module.js';
import { labelRoutes } from './labels.js';
import { teamRoutes } from './teams.js';

export const workflowAssignModule = routeModule('workflow-assign', [teamRoutes, availabilityRoutes, cannedRoutes, labelRoutes]);
