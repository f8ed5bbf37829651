// Calls to the Graph API with fetch through the network guard (like every connector), and the
// one place that decides what a failure means:
// 429, 5xx, network errors and Graph's throttling/transient codes are retryable (honouring
// Retry-After); any other refusal is permanent and carries the platform's own message.
import { PermanentError, RetryableError } from '../types.js';
import { graphError } from './wire.js';
import { fetchErrorMessage, guardedFetch, PrivateNetworkError, readBounded } from '../net-guard.js';
import { parseRetryAfter } from '../retry-after.js';

export { parseRetryAfter };

/** Graph codes that mean "later" even when the HTTP status is 400 (rate limits, outages). */
const RETRYABLE_CODES = new Set([
  1, 2, 4, 17, 32, 341, 613, // API unknown/service, app/user/page rate limits
  80007, 130429, 131000, 131016, 131056, 133004, // WhatsApp: WABA/throughput/pair limits, service unavailable
]);

export interface GraphCall {
  baseUrl: string;
  path: string;
  token: string;
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** Largest Graph answer read (a template list, a profile): a bigger one is refused, not buffered. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export async function graphRequest<T = unknown>(call: GraphCall): Promise<T> {
  const url = new URL(`${call.baseUrl.replace(/\/+$/, '')}/${call.path.replace(/^\/+/, '')}`);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await guardedFetch(url, {
      method: call.method ?? 'POST',
      headers: { authorization: `Bearer ${call.token}`, accept: 'application/json', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
      signal: AbortSignal.timeout(call.timeoutMs ?? 15_000),
    });
  } catch (err) {
    // No answer at all (refused, reset, timeout): the platform may still take it later.
    if (err instanceof PrivateNetworkError || (err as { cause?: unknown }).cause instanceof PrivateNetworkError) throw new PermanentError(`Graph API not called: ${fetchErrorMessage(err)}`);
    throw new RetryableError(`Graph API unreachable: ${fetchErrorMessage(err)}`);
  }
  const text = await readBounded(res, MAX_ANSWER_BYTES);
  const data = safeJson(text);
  if (res.ok) {
    // A cut-off or non-JSON success cannot be used; the call itself was taken, so not retried.
    if (data === undefined && text.length > 0) throw new PermanentError(`Graph API ${res.status}: an answer that is not JSON (or over ${MAX_ANSWER_BYTES / 1048576} MB)`);
    return (data ?? {}) as T;
  }
  throw classifyGraphFailure(res.status, data ?? text, res.headers.get('retry-after') ?? undefined);
}

/** A multipart POST (media upload, attachment upload with filedata), failures classified like graphRequest. */
export async function graphUpload<T = unknown>(call: { baseUrl: string; path: string; token: string; form: FormData; timeoutMs?: number }): Promise<T> {
  const url = `${call.baseUrl.replace(/\/+$/, '')}/${call.path.replace(/^\/+/, '')}`;
  let res: Response;
  try {
    res = await guardedFetch(url, { method: 'POST', headers: { authorization: `Bearer ${call.token}` }, body: call.form, signal: AbortSignal.timeout(call.timeoutMs ?? 120_000) });
  } catch (err) {
    if (err instanceof PrivateNetworkError || (err as { cause?: unknown }).cause instanceof PrivateNetworkError) throw new PermanentError(`Graph API not called: ${fetchErrorMessage(err)}`);
    throw new RetryableError(`Graph API unreachable: ${fetchErrorMessage(err)}`);
  }
  const text = await readBounded(res, 1024 * 1024);
  const data = safeJson(text) ?? text;
  if (res.ok) return data as T;
  throw classifyGraphFailure(res.status, data, res.headers.get('retry-after') ?? undefined);
}

export const fileBlob = (f: { data: Uint8Array; contentType: string }) => new Blob([f.data as Uint8Array<ArrayBuffer>], { type: f.contentType });

export function classifyGraphFailure(status: number, data: unknown, retryAfter?: string): RetryableError | PermanentError {
  const parsed = graphError.safeParse(typeof data === 'string' ? safeJson(data) : data);
  const e = parsed.success ? parsed.data.error : undefined;
  const details = e?.error_data?.details && e.error_data.details !== e.message ? ` (${e.error_data.details})` : '';
  const text = e ? `${e.message}${details}${e.code !== undefined ? ` [code ${e.code}]` : ''}` : `HTTP ${status}`;
  const wait = parseRetryAfter(retryAfter);
  if (status === 429 || status >= 500 || e?.is_transient || (e?.code !== undefined && RETRYABLE_CODES.has(e.code))) {
    return new RetryableError(`Graph API ${status}: ${text}`, wait);
  }
  return new PermanentError(`Graph API ${status}: ${text}`);
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return undefined; }
}
