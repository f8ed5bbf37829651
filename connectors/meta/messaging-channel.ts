// The Connector parts Messenger and Instagram have alike (both are the Messenger Platform's
// `messaging[]` webhook and Send API for one account): Meta's webhook checks, parse, send,
// file downloads, and the User Profile API lookup. Each connector says which of its config
// keys hold the account id and token, and reads the profile its own way.
import { z } from 'zod';
import type { Connector } from '../types.js';
import { graphRootKeys, metaWebhook, webhookSecretKeys, type GraphRoot } from './config.js';
import { graphRequest } from './graph.js';
import { fetchMessagingMedia, parseMessaging, sendMessaging } from './messaging.js';

/** The inbox config: the account id and token under the platform's names, then every Meta inbox's keys. */
export function messagingConfig<A extends z.ZodRawShape>(account: A) {
  return z.object({ ...account, ...webhookSecretKeys, ...graphRootKeys });
}

export interface MessagingChannelSpec<C> {
  /** The webhook's `object`: "page" (Messenger) or "instagram". */
  object: 'page' | 'instagram';
  /** The config's account id (Page id, Instagram account id) and its access token. */
  account(c: C): { id: string; token: string };
  /** How a file goes out (sendMessaging): uploaded with the message, or by its public URL. */
  files?: 'upload' | 'url';
  /** What a downloaded file is called in errors ("Messenger attachment"). */
  what: string;
}

type MessagingParts<C> = Required<Pick<Connector<C>, 'handshake' | 'verify' | 'parse' | 'send' | 'fetchMedia'>>;

export function messagingChannel<C extends GraphRoot & { appSecret: string; verifyToken: string }>(spec: MessagingChannelSpec<C>): MessagingParts<C> {
  return {
    ...metaWebhook,
    parse: (raw, c) => parseMessaging(raw, spec.object, spec.account(c).id),
    send: (c, msg) => {
      const { id, token } = spec.account(c);
      return sendMessaging({ baseUrl: c.apiBaseUrl, version: c.apiVersion, accountId: id, token, files: spec.files }, msg);
    },
    fetchMedia: (_c, remote, { maxBytes }) => fetchMessagingMedia(remote, maxBytes, spec.what),
  };
}

/** GET /{version}/{user-id}?fields=… (wire.ts userProfile): the profile, or null when the answer is not one. */
export async function fetchUserProfile<S extends z.ZodType>(c: GraphRoot, token: string, userId: string, profile: { fields: string[]; schema: S }): Promise<z.infer<S> | null> {
  const data = await graphRequest({
    baseUrl: c.apiBaseUrl, method: 'GET', path: `/${c.apiVersion}/${encodeURIComponent(userId)}`,
    query: { fields: profile.fields.join(',') }, token, timeoutMs: 5_000,
  });
  const p = profile.schema.safeParse(data);
  return p.success ? p.data : null;
}
