// Records an admin act done through the API, with who did it and from where.
import type { Context } from 'hono';
import { recordAudit, type AuditBy, type AuditEntry } from '../domain/core/audit.js';
import { clientAddress } from './client-address.js';
import type { AppEnv } from './env.js';

export const auditBy = (c: Context<AppEnv>): AuditBy => ({ actor: c.var.actor, clientAddress: clientAddress(c, c.var.deps) });

export const auditAct = (c: Context<AppEnv>, e: AuditEntry) => recordAudit(c.var.deps, auditBy(c), e);
