// Domain failures carry the HTTP status and snake_case code the API answers with.
export class AppError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, 'forbidden', message);
export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
