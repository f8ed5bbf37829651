// What one stored message may hold, whatever a platform (or a forged body) sends: text and
// HTML are cut with a note saying so, attachments past the count are left out with a note.
// Linear in the input; applied at the one door into the store (ingest).
import { isMessageEvent, type InboundEvent } from '../../../connectors/types.js';

export const MAX_STORED_TEXT = 100_000;
export const MAX_STORED_HTML = 1_000_000;
export const MAX_ATTACHMENTS = 50;

export function withinLimits(e: InboundEvent): InboundEvent {
  if (e.kind === 'edit') return e.text.length > MAX_STORED_TEXT ? { ...e, text: `${e.text.slice(0, MAX_STORED_TEXT)}\n\n[Message shortened: ${e.text.length - MAX_STORED_TEXT} more characters were not stored]` } : e;
  if (!isMessageEvent(e)) return e;
  const longText = e.text.length > MAX_STORED_TEXT;
  const longHtml = (e.html?.length ?? 0) > MAX_STORED_HTML;
  const manyFiles = e.attachments.length > MAX_ATTACHMENTS;
  if (!longText && !longHtml && !manyFiles) return e;
  const notes: string[] = [];
  if (longText) notes.push(`[Message shortened: ${e.text.length - MAX_STORED_TEXT} more characters were not stored]`);
  if (manyFiles) notes.push(`[${e.attachments.length - MAX_ATTACHMENTS} more attachments were not stored]`);
  return {
    ...e,
    text: (longText ? e.text.slice(0, MAX_STORED_TEXT) : e.text) + (notes.length ? `\n\n${notes.join('\n')}` : ''),
    // Cut HTML is not safe to show (open tags): past the bound the text is shown instead.
    ...(longHtml ? { html: undefined } : {}),
    attachments: manyFiles ? e.attachments.slice(0, MAX_ATTACHMENTS) : e.attachments,
  };
}
