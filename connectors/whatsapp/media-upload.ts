// One outgoing file uploaded to the Cloud API (POST /{phone-number-id}/media): its media id, which
// a media message or a template's media header then sends.
import { fileBlob, graphUpload } from '../meta/graph.js';
import { PermanentError, type OutboundFile } from '../types.js';
import type { WhatsappConfig } from './index.js';

export async function uploadMedia(c: WhatsappConfig, f: OutboundFile): Promise<string> {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', f.contentType);
  form.append('file', fileBlob(f), f.filename);
  const up = await graphUpload<{ id?: string }>({ baseUrl: c.apiBaseUrl, path: `/${c.apiVersion}/${c.phoneNumberId}/media`, token: c.accessToken, form });
  if (!up?.id) throw new PermanentError('The Cloud API media upload answered without an id');
  return up.id;
}
