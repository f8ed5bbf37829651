// X (Twitter) wire formats, as the X API docs define them (see /work/shared/PLATFORMS.md).
import { z } from 'zod';

/** GET /2/dm_events item (dm_event.fields=id,text,event_type,created_at,sender_id,dm_conversation_id). */
export const dmEventV2 = z.object({
  id: z.string(),
  event_type: z.string(),
  text: z.string().optional(),
  sender_id: z.string().optional(),
  dm_conversation_id: z.string().optional(),
  created_at: z.string().optional(),
  participant_ids: z.array(z.string()).optional(),
  attachments: z.object({ media_keys: z.array(z.string()).optional() }).optional(),
});

/** includes.media of GET /2/dm_events (expansions=attachments.media_keys, media.fields=url,type,variants). */
export const mediaV2 = z.object({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
  variants: z.array(z.object({ bit_rate: z.number().optional(), content_type: z.string(), url: z.string() })).optional(),
});
export type MediaV2 = z.infer<typeof mediaV2>;
export type DmEventV2 = z.infer<typeof dmEventV2>;

export const userV2 = z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional() });
export type UserV2 = z.infer<typeof userV2>;

/** GET /2/dm_events response page (newest first). */
export const dmEventsPage = z.object({
  data: z.array(dmEventV2).optional(),
  includes: z.object({ users: z.array(userV2).optional(), media: z.array(mediaV2).optional() }).optional(),
  meta: z.object({ result_count: z.number(), next_token: z.string().optional() }),
});

/** POST /2/dm_conversations/with/:participant_id/messages response. */
export const sendDmResponse = z.object({ data: z.object({ dm_conversation_id: z.string(), dm_event_id: z.string() }) });

/** Account Activity API webhook body: one DM event (v1.1 shape). */
export const aaaDmEvent = z.object({
  type: z.string(),
  id: z.string(),
  created_timestamp: z.string().optional(),
  message_create: z.object({
    target: z.object({ recipient_id: z.string() }),
    sender_id: z.string(),
    source_app_id: z.string().optional(),
    message_data: z.object({
      text: z.string(),
      // A photo, GIF or video: media_url_https (photo) or video_info.variants (mp4), fetched with OAuth 1.0a.
      attachment: z.object({
        type: z.string(),
        media: z.object({
          id_str: z.string().optional(), media_url_https: z.string().optional(), url: z.string().optional(), type: z.string().optional(),
          video_info: z.object({ variants: z.array(z.object({ bitrate: z.number().optional(), content_type: z.string(), url: z.string() })) }).passthrough().optional(),
        }).passthrough(),
      }).optional(),
    }).passthrough(),
  }).optional(),
});

export const aaaUser = z.object({ id: z.string(), name: z.string().optional(), screen_name: z.string().optional() }).passthrough();

/** The customer read our DMs up to last_read_event_id. */
export const aaaMarkRead = z.object({
  sender_id: z.string(),
  target: z.object({ recipient_id: z.string() }),
  last_read_event_id: z.string(),
  created_timestamp: z.string().optional(),
});

/** Events are read one by one (aaaDmEvent, aaaMarkRead): one odd event never loses the others. */
export const aaaWebhookBody = z.object({
  for_user_id: z.string().optional(),
  direct_message_events: z.array(z.unknown()).optional(),
  direct_message_mark_read_events: z.array(z.unknown()).optional(),
  users: z.record(z.string(), aaaUser).optional(),
}).passthrough();
export type AaaWebhookBody = z.infer<typeof aaaWebhookBody>;

/** Field list the connector asks GET /2/dm_events for (the fake serves the same). */
export const DM_EVENT_FIELDS = 'id,text,event_type,created_at,sender_id,dm_conversation_id,attachments';
export const MEDIA_FIELDS = 'url,type,variants,preview_image_url';
