// Calls to the Graph API with axios, and the one place that decides what a failure means:
// 429, 5xx, network errors and Graph's throttling/transient codes are retryable (honouring
// Retry-After); any other refusal is permanent and carries the platform's own message.
import axios, { type AxiosResponse } from 'axios';
import { PermanentError, RetryableError } from '../types.js';
import { graphError } from './wire.js';
import { assertCallableUrl, fetchErrorMessage, guardedFetch, guardedHttpAgent, guardedHttpsAgent, PrivateNetworkError, readBounded } from '../net-guard.js';

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

export async function graphRequest<T = unknown>(call: GraphCall): Promise<T> {
  const url = `${call.baseUrl.replace(/\/+$/, '')}/${call.path.replace(/^\/+/, '')}`;
  let res: AxiosResponse;
  try {
    assertCallableUrl(url);
    res = await axios.request({
      httpAgent: guardedHttpAgent, httpsAgent: guardedHttpsAgent, proxy: false,
      maxRedirects: 0, maxContentLength: 16 * 1024 * 1024,
      url,
      method: call.method ?? 'POST',
      params: call.query,
      data: call.body,
      headers: { authorization: `Bearer ${call.token}`, ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      timeout: call.timeoutMs ?? 15_000,
      validateStatus: () => true,
      responseType: 'json',
    });
  } catch (err) {
    // No answer at all (refused, reset, timeout): the platform may still take it later.
    if (err instanceof PrivateNetworkError || (err as { cause?: unknown }).cause instanceof PrivateNetworkError) throw new PermanentError(`Graph API not called: ${fetchErrorMessage(err)}`);
    throw new RetryableError(`Graph API unreachable: ${(err as Error).message}`);
  }
  if (res.status >= 200 && res.status < 300) return res.data as T;
  throw classifyGraphFailure(res.status, res.data, res.headers['retry-after'] as string | undefined);
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

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return undefined; }
}
