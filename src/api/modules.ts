// The route modules mounted under /api/v1 beyond the core: add one by appending a line to
// `modules`. What reacts to domain events is installed by the domain (src/domain/reactions.ts).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import type { Deps } from '../domain/deps.js';
import { accessModule } from './access.js';
import { attachmentsModule } from './attachments.js';
import { workflowAssignModule } from './workflow-assign.js';
import { workflowServiceModule } from './workflow-service.js';
import { workflowDataModule } from './workflow-data.js';

export interface Module {
  name: string;
  /** /api/v1 routes (authenticated; c.var.actor and c.var.deps are set). */
  api: (deps: Deps) => OpenAPIHono<AppEnv>;
}

export const modules: Module[] = [
  attachmentsModule,
  workflowAssignModule,
  workflowServiceModule,
  workflowDataModule,
  accessModule,
];

export const extraApiModules = modules.map((m) => m.api);
