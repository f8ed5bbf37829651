// The modules wired into the app beyond the core: each adds /api/v1 routes and/or reacts to
// domain events on the bus. Add a module by appending one line to `modules`.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import type { Deps } from '../domain/core/deps.js';
import { accessModule } from './access.js';
import { attachmentsModule } from './attachments.js';
import { workflowAssignModule } from './workflow-assign.js';
import { workflowServiceModule } from './workflow-service.js';
import { workflowDataModule } from './workflow-data.js';

export interface Module {
  name: string;
  /** /api/v1 routes (authenticated; c.var.actor and c.var.deps are set). */
  api?: (deps: Deps) => OpenAPIHono<AppEnv>;
  /** Subscribe to deps.bus, register jobs, etc. Called once at start. */
  install?: (deps: Deps) => void;
}

export const modules: Module[] = [
  attachmentsModule,
  workflowAssignModule,
  workflowServiceModule,
  workflowDataModule,
  accessModule,
];

export const extraApiModules = modules.flatMap((m) => (m.api ? [m.api] : []));

export function installWorkflow(deps: Deps): void {
  for (const m of modules) m.install?.(deps);
}
