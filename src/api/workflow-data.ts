// Routes over the conversation data: contacts, search, outgoing webhooks and reports. The
// webhooks' enqueueing reaction is the domain's (src/domain/integrations/); their delivery
// job is in src/domain/jobs.ts.
import type { Module } from './modules.js';
import { contactRoutes } from './contacts.js';
import { router } from './env.js';
import { reportRoutes } from './reports.js';
import { searchRoutes } from './search.js';
import { outgoingWebhookRoutes } from './webhooks-out.js';

export const workflowDataModule: Module = {
  name: 'workflow-data',
  api: () => {
    const app = router();
    app.route('/', contactRoutes());
    app.route('/', searchRoutes());
    app.route('/', outgoingWebhookRoutes());
    app.route('/', reportRoutes());
    return app;
  },
};
