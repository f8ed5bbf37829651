// fetch wrapper: same-origin, the session cookie rides along; every state-changing request
// carries the CSRF token from the login response.
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

let csrf: string | null = null;
let onUnauthorized: () => void = () => {};
export const setCsrf = (t: string | null) => { csrf = t; };
export const setOnUnauthorized = (fn: () => void) => { onUnauthorized = fn; };

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-parley-csrf'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let data: any = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) {
    if (res.status === 401 && !path.endsWith('/auth/login') && !path.endsWith('/auth/session')) onUnauthorized();
    throw new ApiError(res.status, data?.error?.code ?? 'http_error', data?.error?.message ?? `HTTP ${res.status}`);
  }
  return data as T;
}

/** A multipart POST (a message with files); the browser sets the boundary. */
export async function postForm<T = any>(path: string, form: FormData): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { accept: 'application/json', ...(csrf ? { 'x-parley-csrf': csrf } : {}) }, body: form, credentials: 'same-origin' });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, data?.error?.code ?? 'http_error', data?.error?.message ?? `HTTP ${res.status}`);
  }
  return data as T;
}

export const get = <T = any>(p: string) => api<T>('GET', p);
export const post = <T = any>(p: string, b?: unknown) => api<T>('POST', p, b ?? {});
export const patch = <T = any>(p: string, b: unknown) => api<T>('PATCH', p, b);
export const del = <T = any>(p: string) => api<T>('DELETE', p);

/** For endpoints another area provides: null when the route does not exist in this build. */
export async function optional<T = any>(p: string): Promise<T | null> {
  try { return await get<T>(p); } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

export const qs = (o: Record<string, string | number | undefined | null | false>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '' && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
