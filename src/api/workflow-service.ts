// Routes of customer service: FAQ articles and suggestions, retrieval settings, the assistant
// and business hours (the public CSAT answer lives in webchat.ts). Its reactions (CSAT, the
// bot) are the domain's (src/domain/service/service-reactions.ts); its scheduled jobs (SLA,
// follow-up) are in src/domain/jobs.ts.
import { assistantRoutes } from './assistant.js';
import { businessHoursRoutes } from './business-hours.js';
import { routeModule } from './route-module.js';
import { faqRoutes } from './faq.js';
import { retrievalRoutes } from './retrieval.js';

export const workflowServiceModule = routeModule('workflow-service', [faqRoutes, retrievalRoutes, assistantRoutes, businessHoursRoutes]);
