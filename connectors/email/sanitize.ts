// Allow-list HTML sanitizer for showing customers' email in the agents' app.
//
// Safety does not rest on parsing HTML the way a browser does: the output is re-serialized
// from scratch. Every text run is escaped, only allow-listed tags are written (by us, with
// their names lower-cased), only allow-listed attributes are kept, and each attribute value is
// written entity-decoded-then-escaped, so the value the browser sees is exactly the value we
// checked (URL schemes, CSS). A mis-parse can only cost fidelity, never let markup through.

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'div',
  'dl', 'dt', 'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol',
  'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot',
  'th', 'thead', 'tr', 'tt', 'u', 'ul',
]);
const VOID_TAGS = new Set(['br', 'hr', 'img', 'col']);
/** Dropped together with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'head', 'title', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'noscript',
  'noembed', 'noframes', 'template', 'svg', 'math', 'select', 'textarea', 'xmp', 'plaintext', 'audio', 'video',
]);
/** Elements whose content the HTML parser reads as raw text up to the matching end tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);

const GLOBAL_ATTRS = new Set(['title', 'dir', 'lang', 'align', 'style']);
const TAG_ATTRS: Record<string, Set<string>> = {
  a: new Set(['href', 'name']),
  img: new Set(['src', 'alt', 'width', 'height', 'border']),
  font: new Set(['color', 'size', 'face']),
  table: new Set(['border', 'cellpadding', 'cellspacing', 'width', 'bgcolor']),
  td: new Set(['colspan', 'rowspan', 'valign', 'width', 'height', 'bgcolor', 'nowrap']),
  th: new Set(['colspan', 'rowspan', 'valign', 'width', 'height', 'bgcolor', 'nowrap']),
  tr: new Set(['valign', 'bgcolor']),
  col: new Set(['span', 'width']),
  colgroup: new Set(['span', 'width']),
  ol: new Set(['start', 'type']),
  li: new Set(['value']),
  blockquote: new Set(['cite', 'type']),
  q: new Set(['cite']),
};
const URL_ATTRS = new Set(['href', 'src', 'cite']);
const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);
const IMG_SCHEMES = new Set(['http', 'https', 'cid']);
const CSS_PROPS = new Set([
  'color', 'background-color', 'font-weight', 'font-style', 'font-size', 'font-family', 'text-decoration', 'text-align',
  'vertical-align', 'line-height', 'white-space', 'margin', 'margin-top', 'margin-bottom', 'margin-left', 'margin-right',
  'padding', 'padding-top', 'padding-bottom', 'padding-left', 'padding-right', 'border', 'border-top', 'border-bottom',
  'border-left', 'border-right', 'border-collapse', 'border-color', 'border-width', 'border-style', 'width', 'height',
  'max-width', 'display', 'list-style-type',
]);

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', tab: '\t', newline: '\n',
  lpar: '(', rpar: ')', sol: '/', bsol: '\\', semi: ';', comma: ',', period: '.', excl: '!', num: '#', equals: '=',
};

/** Decodes character references the way attribute values are decoded (numeric + common named). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    const v = NAMED[ref.toLowerCase()];
    return v ?? m;
  });
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** Text between tags: character references stay (they only ever make characters), the rest is escaped. */
function cleanText(s: string): string {
  return s.replace(/&(?!(?:#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function safeUrl(value: string, schemes: Set<string>): string | null {
  // Browsers skip leading blanks and drop tabs/newlines anywhere in a URL ("java\tscript:").
  const v = value.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '').trimEnd();
  if (/[\u0000-\u001f\u007f]/.test(v)) return null;
  const colon = v.indexOf(':');
  if (colon <= 0) return null; // relative links mean nothing in an email
  const scheme = v.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme) || !schemes.has(scheme)) return null;
  return v;
}

function safeStyle(value: string): string | null {
  const out: string[] = [];
  for (const decl of value.split(';')) {
    const i = decl.indexOf(':');
    if (i < 0) continue;
    const prop = decl.slice(0, i).trim().toLowerCase();
    const val = decl.slice(i + 1).trim();
    if (!CSS_PROPS.has(prop) || !val) continue;
    // No url(), expression(), escapes, comments, or anything that could leave the declaration.
    if (!/^[#a-z0-9 .,%'"()+-]+$/i.test(val) || /url\s*\(|expression|image-set|var\s*\(|@/i.test(val)) continue;
    if (/position|fixed/i.test(val)) continue;
    out.push(`${prop}: ${val}`);
  }
  return out.length ? out.join('; ') : null;
}

interface Attr { name: string; value: string }

function parseAttrs(src: string): Attr[] {
  const attrs: Attr[] = [];
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) attrs.push({ name: m[1].toLowerCase(), value: decodeEntities(m[2] ?? m[3] ?? m[4] ?? '') });
  return attrs;
}

function renderAttrs(tag: string, attrs: Attr[]): string {
  const allowed = TAG_ATTRS[tag];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const { name, value } of attrs) {
    if (seen.has(name)) continue;
    if (!GLOBAL_ATTRS.has(name) && !allowed?.has(name)) continue;
    let v: string | null = value;
    if (URL_ATTRS.has(name)) v = safeUrl(value, tag === 'img' && name === 'src' ? IMG_SCHEMES : LINK_SCHEMES);
    else if (name === 'style') v = safeStyle(value);
    else if (/[<>]/.test(value) || value.length > 500) v = null;
    if (v == null) continue;
    seen.add(name);
    out.push(` ${name}="${escapeAttr(v)}"`);
  }
  if (tag === 'a' && seen.has('href')) out.push(' target="_blank" rel="noopener noreferrer nofollow"');
  return out.join('');
}

/** A tag starting at `<` (index i): null if not a tag, undefined if no '>' ends it before the input does. */
function scanTag(s: string, i: number): { closing: boolean; tag: string; attrs: string; end: number } | null | undefined {
  let j = i + 1;
  const closing = s[j] === '/';
  if (closing) j++;
  const nm = /^[a-zA-Z][a-zA-Z0-9:-]*/.exec(s.slice(j, j + 64));
  if (!nm) return null;
  j += nm[0].length;
  const attrStart = j;
  let quote = '';
  for (; j < s.length; j++) {
    const ch = s[j];
    if (quote) { if (ch === quote) quote = ''; }
    else if ((ch === '"' || ch === "'") && /=\s*$/.test(s.slice(Math.max(attrStart, j - 8), j))) quote = ch; // only a value opens a quote
    else if (ch === '>') return { closing, tag: nm[0].toLowerCase(), attrs: s.slice(attrStart, j), end: j + 1 };
  }
  return undefined;
}

/** Open elements kept at most (a browser's own limit is about 512). */
const MAX_DEPTH = 256;

const rawTextEnds = new Map<string, RegExp>();
/** A global regex finding `</tag` followed by a blank, / or >, used from a lastIndex. */
function rawTextEnd(tag: string): RegExp {
  let re = rawTextEnds.get(tag);
  if (!re) rawTextEnds.set(tag, re = new RegExp(`</${tag}[\\s/>]`, 'gi'));
  return re;
}

/** Sanitizes an HTML email body (or fragment) for display. Returns '' for nothing left. */
export function sanitizeHtml(input: string): string {
  const out: string[] = [];
  const open: string[] = [];
  const openCount = new Map<string, number>();
  const close = () => {
    const tag = open.pop()!;
    openCount.set(tag, openCount.get(tag)! - 1);
    out.push(`</${tag}>`);
  };
  let dropDepth = 0; // inside a dropped element
  let dropTag = '';
  let noTagAfter = false;
  let i = 0;
  const n = input.length;
  const emitText = (t: string) => { if (dropDepth === 0 && t) out.push(cleanText(t)); };

  while (i < n) {
    const lt = input.indexOf('<', i);
    if (lt < 0) { emitText(input.slice(i)); break; }
    emitText(input.slice(i, lt));
    i = lt;
    if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (input[i + 1] === '!' || input[i + 1] === '?') { // doctype, CDATA, processing instruction
      const end = input.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const t = noTagAfter ? null : scanTag(input, i);
    if (!t) {
      if (t === undefined) noTagAfter = true; // no '>' anywhere after: the rest is text
      emitText('<'); i++; continue;
    }
    i = t.end;
    const { closing, tag } = t;

    if (!closing && RAW_TEXT.has(tag)) {
      // Skip to the matching end tag: its content is never markup. Searched in place from i
      // (a slice of the rest per element made many small elements quadratic).
      const endRe = rawTextEnd(tag);
      endRe.lastIndex = i;
      const em = endRe.exec(input);
      if (!em) { i = n; continue; }
      const close = input.indexOf('>', em.index);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (DROP_WITH_CONTENT.has(tag)) {
      if (t.attrs.trim().endsWith('/')) continue;
      if (!closing) { if (dropDepth === 0) dropTag = tag; if (tag === dropTag) dropDepth++; }
      else if (dropDepth > 0 && tag === dropTag) dropDepth--;
      continue;
    }
    if (dropDepth > 0 || !ALLOWED_TAGS.has(tag)) continue;
    if (closing) {
      // Counting open elements per name makes a stray end tag O(1); a matching one pops
      // what it scans, so the scans add up to the pushes (linear).
      if (!openCount.get(tag)) continue;
      const at = open.lastIndexOf(tag);
      while (open.length > at) close();
      continue;
    }
    const isVoid = VOID_TAGS.has(tag);
    if (!isVoid && open.length >= MAX_DEPTH) continue; // deeper nesting only costs fidelity
    const attrs = renderAttrs(tag, parseAttrs(t.attrs));
    if (tag === 'img' && !attrs.includes(' src=')) continue; // nothing left to show
    out.push(`<${tag}${attrs}>`);
    if (!isVoid) { open.push(tag); openCount.set(tag, (openCount.get(tag) ?? 0) + 1); }
  }
  while (open.length) close();
  return out.join('').trim();
}
