// What the receiving server found about the sender (RFC 8601 Authentication-Results): SPF,
// DKIM, DMARC. Only the topmost header counts: it is the one our own mail server added (any
// below it came with the mail and may be forged).
export interface AuthResults { spf?: string; dkim?: string; dmarc?: string }

const METHOD = /(?:^|;)\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)/gi;

export function authenticationOf(headerLines: readonly { key: string; line: string }[]): { results: AuthResults; failed?: string } | null {
  const top = headerLines.find((h) => h.key === 'authentication-results');
  if (!top) return null;
  const value = top.line.slice(top.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').slice(0, 4000);
  const results: AuthResults = {};
  for (const m of value.matchAll(METHOD)) {
    const method = m[1].toLowerCase() as keyof AuthResults;
    if (!results[method] || m[2].toLowerCase() === 'pass') results[method] = m[2].toLowerCase();
  }
  if (!Object.keys(results).length) return null;
  const bad = (v?: string) => v === 'fail' || v === 'softfail' || v === 'permerror';
  let failed: string | undefined;
  if (results.dmarc && results.dmarc !== 'pass' && results.dmarc !== 'none') failed = `DMARC ${results.dmarc}`;
  else if (!results.dmarc && bad(results.spf) && results.dkim !== 'pass') failed = `SPF ${results.spf}${results.dkim ? `, DKIM ${results.dkim}` : ''}`;
  else if (!results.dmarc && results.dkim && bad(results.dkim) && results.spf !== 'pass') failed = `DKIM ${results.dkim}`;
  return { results, ...(failed ? { failed } : {}) };
}
