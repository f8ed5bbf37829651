// Domain failures carry the HTTP status and snake_case code the API answers with.
export class AppError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503, readonly code: string, message: string, readonly details?: unknown,
    /** Response headers, e.g. Retry-After on 429/503. */
    readonly headers?: Record<string, string>) {
    super(message);
  }
}
/** 429 (or 503) with Retry-After in whole seconds, at least 1. */
export const tooMany = (code: string, message: string, retryAfterMs: number, status: 429 | 503 = 429) =>
  new AppError(status, code, message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, 'forbidden', message);
