// Files an agent (or a visitor, from the widget) attaches: checked against what the channel
// takes when the message is written — a file the channel cannot carry is refused at once with
// 422 naming the file and the limit, never queued to fail later — then stored in the blob store.
import type { Connector } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import { AppError } from '../core/errors.js';
import { checkFile, mb, type CheckedFile } from './media.js';

export interface UploadFile { filename: string; contentType: string; data: Uint8Array }

/** Web chat and notes take any file up to this; channels say their own in limits.media. */
export const UPLOAD_MAX_BYTES = 25 * 1048576;

const matches = (pattern: string, type: string) => pattern === '*' || (pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type);

/** Stores the files (sniffed, like inbound ones); refuses the whole message if one fails a check. */
export async function storeUploads(deps: Deps, files: UploadFile[], connector: Connector | undefined, opts: { isPrivate: boolean; text: string }): Promise<CheckedFile[]> {
  const out = connector?.limits.media?.outbound;
  if (!opts.isPrivate && files.length && connector && !out) {
    throw new AppError(422, 'attachments_not_supported', `This channel (${connector.kind}) cannot send files`);
  }
  if (!opts.isPrivate && out) {
    if (files.length > out.maxFiles) throw new AppError(422, 'too_many_files', `This channel takes at most ${out.maxFiles} file${out.maxFiles === 1 ? '' : 's'} per reply; ${files.length} were attached`);
    if (files.length && out.captions && out.maxCaptionLength && [...opts.text].length > out.maxCaptionLength) {
      throw new AppError(422, 'caption_too_long', `With a file, this channel takes at most ${out.maxCaptionLength} characters of text (the caption)`);
    }
  }
  const checked: CheckedFile[] = [];
  for (const f of files) {
    const c = await checkFile({ data: f.data, filename: f.filename, declaredType: f.contentType, maxBytes: UPLOAD_MAX_BYTES });
    if (c.state !== 'ready') throw new AppError(422, 'file_refused', `"${c.filename}" was refused: ${c.error}`);
    if (!opts.isPrivate && out) {
      const rule = out.types.find((t) => matches(t.type, c.contentType));
      if (!rule) throw new AppError(422, 'file_type_not_supported', `"${c.filename}" is ${c.contentType}, which this channel cannot send (it takes ${out.types.map((t) => t.type).join(', ')})`);
      if (c.size > rule.maxBytes) throw new AppError(422, 'file_too_large', `"${c.filename}" is ${mb(c.size)}; this channel sends ${rule.type} files up to ${mb(rule.maxBytes)}`);
    }
    checked.push(c);
  }
  // Stored only once every file passed: a refused reply leaves nothing behind.
  for (let i = 0; i < files.length; i++) checked[i].sha256 = (await deps.blobs.put(files[i].data)).sha256;
  return checked;
}
