// The one reading of an HTTP Retry-After header (RFC 9110 §10.2.3) for every connector and
// Parley's own outgoing webhooks: delay-seconds or an HTTP-date, as milliseconds from `now`.
// Plain code, no Node API: it runs wherever the connectors do.

/** Milliseconds to wait, or undefined when the header is absent, unreadable or asks for no wait. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  // Linear in the header's length; fractions are not in the RFC but some servers send them.
  if (/^\d{1,12}(\.\d{1,6})?$/.test(v)) {
    const ms = Math.ceil(Number(v) * 1000);
    return ms > 0 ? ms : undefined;
  }
  if (v.length > 64) return undefined;
  const at = Date.parse(v);
  return Number.isFinite(at) && at > now ? at - now : undefined;
}
