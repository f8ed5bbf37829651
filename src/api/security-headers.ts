// Headers every response carries (the web app adds its own strict CSP in web/routes.ts):
// no MIME sniffing, no referrer leaving the site, no powerful browser features, HSTS when
// Parley is served over https, and a CSP that makes any non-HTML answer inert if opened as a page.
import type { MiddlewareHandler } from 'hono';

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()';
const INERT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(publicUrl: string): MiddlewareHandler {
  const hsts = publicUrl.startsWith('https:');
  return async (c, next) => {
    await next();
    let h = c.res.headers;
    try { h.set('x-content-type-options', 'nosniff'); } catch {
      // Immutable headers (Response.redirect, a proxied fetch): copy the response once.
      c.res = new Response(c.res.body, c.res);
      h = c.res.headers;
    }
    const set = (name: string, value: string) => { if (!h.has(name)) h.set(name, value); };
    set('x-content-type-options', 'nosniff');
    set('referrer-policy', 'no-referrer');
    set('permissions-policy', PERMISSIONS_POLICY);
    if (hsts) set('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!(h.get('content-type') ?? '').startsWith('text/html')) set('content-security-policy', INERT_CSP);
  };
}
