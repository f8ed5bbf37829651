// Keyset cursors: an opaque base64url of the last row's sort key. Never OFFSET.
import { AppError } from './errors.js';

export interface Page<T> { data: T[]; nextCursor: string | null }

export function encodeCursor(key: (string | number)[]): string {
  return btoa(JSON.stringify(key)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

export function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor) return null;
  try {
    const pad = cursor.length % 4 ? '='.repeat(4 - (cursor.length % 4)) : '';
    const v = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/') + pad));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch { /* fall through */ }
  throw new AppError(400, 'invalid_cursor', 'The cursor is not one this API gave out');
}
