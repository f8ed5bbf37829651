// Outgoing requests to the model provider are refused for loopback, link-local and private
// addresses unless the deployment allows it (PARLEY_ALLOW_PRIVATE_NETWORK=1: a local Ollama or
// vLLM, the sandbox, tests). Checks the URL's literal host; it does not resolve names.
const PRIVATE_V4 = [/^127\./, /^10\./, /^192\.168\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^0\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];

export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal')) return true;
  if (PRIVATE_V4.some((re) => re.test(h))) return true;
  return h === '::1' || h === '::' || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h) || h.startsWith('::ffff:');
}

/** Null when the URL may be called, else why not. */
export function refuseUrl(url: string, allowPrivateNetwork: boolean): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return 'baseUrl is not a URL'; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'baseUrl must be http or https';
  if (u.username || u.password) return 'baseUrl must not carry credentials; use apiKey';
  if (!allowPrivateNetwork && isPrivateHost(u.hostname)) return 'baseUrl points at a private or loopback address (set PARLEY_ALLOW_PRIVATE_NETWORK=1 for a local model)';
  return null;
}
