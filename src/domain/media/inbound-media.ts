// The files of an incoming delivery, before ingest writes it: bytes that came with it (email)
// are checked and stored now; files still on the platform become pending attachments for the
// download job (src/domain/media/media-downloads.ts), so a webhook's answer never waits on a download.
import type { InboundAttachment, MediaKind } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import type { Delivery } from '../ingest/ingest.js';
import { checkAndStore, kindOf, mb, safeFileName } from './media.js';

export interface PreparedAttachment {
  filename: string;
  contentType: string;
  size: number;
  state: 'ready' | 'pending' | 'refused';
  sha256: string | null;
  kind: MediaKind;
  error: string | null;
  url: string | null;
  remote: Record<string, unknown> | null;
}

/** Prepared files by their InboundAttachment; `pending` counts the downloads queued. */
export class PreparedFiles extends Map<InboundAttachment, PreparedAttachment> { pending = 0; }

export const DEFAULT_INBOUND_MAX_BYTES = 25 * 1048576;

export async function prepareAttachments(deps: Deps, deliveries: Delivery[]): Promise<PreparedFiles> {
  const out = new PreparedFiles();
  for (const d of deliveries) {
    for (const e of d.events) {
      if ((e.kind !== 'message' && e.kind !== 'echo') || e.attachments.length === 0) continue;
      const maxBytes = deps.connectors.get(d.inbox.channel)?.limits.media?.inboundMaxBytes ?? DEFAULT_INBOUND_MAX_BYTES;
      for (const a of e.attachments) out.set(a, await prepareOne(deps, a, maxBytes, out));
    }
  }
  return out;
}

async function prepareOne(deps: Deps, a: InboundAttachment, maxBytes: number, out: PreparedFiles): Promise<PreparedAttachment> {
  const base = {
    filename: safeFileName(a.filename), contentType: a.contentType || 'application/octet-stream', size: a.size || 0,
    sha256: null, kind: kindOf(a.contentType ?? '', a.kind), error: null, url: null, remote: null,
  };
  if (a.refused) return { ...base, state: 'refused', error: a.refused };
  if (a.data) {
    const f = await checkAndStore(deps.blobs, { data: a.data, filename: a.filename, declaredType: a.contentType, maxBytes, kind: a.kind });
    return { ...base, ...f };
  }
  if (a.remote) {
    if (a.size > maxBytes) return { ...base, state: 'refused', error: `the file is ${mb(a.size)}, over this inbox's limit of ${mb(maxBytes)}` };
    out.pending++;
    return { ...base, state: 'pending', remote: a.remote };
  }
  if (a.url) return { ...base, state: 'ready', url: a.url };
  return { ...base, state: 'refused', error: 'the file was not stored' };
}
