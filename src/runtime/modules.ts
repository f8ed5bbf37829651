// The modules wired into the app beyond the core: each adds /api/v1 routes and/or reacts to
// domain events on the bus. Add a module by appending one line to `modules`.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../api/env.js';
import type { Deps } from '../domain/deps.js';
import { accessModule } from '../api/access.js';
import { attachmentsModule } from '../api/attachments.js';
import { workflowAssignModule } from '../api/workflow-assign.js';
import { workflowServiceModule } from '../api/workflow-service.js';
import { workflowDataModule } from '../api/workflow-data.js';

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
