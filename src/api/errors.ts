// Every failure leaves as {"error":{"code","message"}} with the right status.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import type { Logger } from '../domain/deps.js';
import { AppError } from '../domain/core/errors.js';

export const errorBody = (code: string, message: string, details?: unknown) => ({ error: { code, message, ...(details ? { details } : {}) } });

export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context) {
  if (result.success) return;
  const err = result.error as ZodError;
  const issue = err.issues?.[0];
  const field = issue ? issue.path.join('.') || result.target || 'body' : result.target ?? 'body';
  const message = issue ? `${field}: ${issue.message}` : 'The request is invalid';
  return c.json(errorBody('invalid_request', message, { field, issues: err.issues?.map((i) => ({ field: i.path.join('.'), message: i.message })) }), 400);
}

export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status;
      const malformed = status === 400 && /json/i.test(err.message);
      const code = malformed ? 'malformed_json' : status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'http_error';
      return c.json(errorBody(code, malformed ? 'The request body is not valid JSON' : err.message || 'Request failed'), status);
    }
    log.error({ err: { message: err.message, stack: err.stack }, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', 'Something went wrong on our side'), 500);
  };
}
