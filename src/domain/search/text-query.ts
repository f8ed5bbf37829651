// A user's search text -> trigram FTS5 MATCH (terms of 3+ characters, AND-ed) plus LIKE
// patterns for the shorter terms, which the trigram index cannot serve.
export interface ParsedQuery {
  /** FTS5 MATCH expression (quoted trigram phrases, AND-ed), or null when no term has 3+ characters. */
  match: string | null;
  /** LIKE patterns for the short terms (and for every term when match is null). */
  likes: string[];
  terms: string[];
}

const escLike = (t: string) => `%${t.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export function parseQuery(q: string): ParsedQuery {
  const terms = q.trim().split(/\s+/u).filter(Boolean).slice(0, 8);
  const long = terms.filter((t) => [...t].length >= 3);
  const short = terms.filter((t) => [...t].length < 3);
  return {
    match: long.length ? long.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ') : null,
    likes: short.map(escLike),
    terms,
  };
}

/** The text of a contact that short terms are matched against (alias x). */
export const CONTACT_TEXT = "(coalesce(x.name, '') || ' ' || coalesce(x.email, '') || ' ' || coalesce(x.phone, ''))";
