// Routes of customer service: FAQ articles and suggestions, retrieval settings, the assistant
// and business hours (the public CSAT answer lives in webchat.ts). Its reactions (CSAT, the
// bot) are the domain's (src/domain/service/service-reactions.ts); its scheduled jobs (SLA,
// follow-up) are in src/domain/jobs.ts.
import type { Module } from './modules.js';
import { assistantRoutes } from './assistant.js';
import { businessHoursRoutes } from './business-hours.js';
import { router } from './env.js';
import { faqRoutes } from './faq.js';
import { retrievalRoutes } from './retrieval.js';

export const workflowServiceModule: Module = {
  name: 'workflow-service',
  api: () => {
    const app = router();
    app.route('/', faqRoutes());
    app.route('/', retrievalRoutes());
    app.route('/', assistantRoutes());
    app.route('/', businessHoursRoutes());
    return app;
  },
};
