// Routes over the conversation data: contacts, search, outgoing webhooks and reports. The
// webhooks' enqueueing reaction is the domain's (src/domain/integrations/); their delivery
// job is in src/domain/jobs.ts.
import { contactRoutes } from './contacts.js';
import { routeModule } from './route-module.js';
import { reportRoutes } from './reports.js';
import { searchRoutes } from './search.js';
import { outgoingWebhookRoutes } from './webhooks-out.js';

export const workflowDataModule = routeModule('workflow-data', [contactRoutes, searchRoutes, outgoingWebhookRoutes, reportRoutes]);
