// Reading back the JSON text columns Parley writes itself (settings, event payloads, audiences,
// webhook event lists). Raw SQL hands them over as text; these turn the text into a checked
// shape instead of trusting `JSON.parse`'s `any`. JSON that arrives from outside is parsed with
// a zod schema where it enters, not here.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object column (`settings`, `payload`): `{}` for NULL or a value that is not an object. */
export function jsonObject(text: string | null | undefined): Record<string, unknown> {
  if (text == null) return {};
  const v: unknown = JSON.parse(text);
  return isRecord(v) ? v : {};
}

/** A list-of-strings column (`audience`, `events`): the string items, [] for NULL or not a list. */
export function jsonStrings(text: string | null | undefined): string[] {
  if (text == null) return [];
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A column shown back as it was stored, whatever its shape (the assistant's request log): unknown, not any. */
export const jsonValue = (text: string): unknown => JSON.parse(text);
