// Instagram messaging wire format (Meta docs: Instagram Messaging webhooks, Send API, User
// Profile API). The webhook has the Messenger shape with object "instagram" (meta/wire.ts):
// {object:"instagram", entry:[{id: IG_ACCOUNT_ID, time, messaging:[{sender:{id: IGSID},
//   recipient:{id: IG_ACCOUNT_ID}, timestamp, message:{mid, text?, attachments?, is_echo?}}]}]}
// Echoes swap sender and recipient. Send: POST /{version}/{IG_ACCOUNT_ID}/messages
// {recipient:{id: IGSID}, message:{text}} (messaging_type RESPONSE accepted) -> {recipient_id,
// message_id}; Instagram limits text to 1000 characters.
// Profile: GET /{version}/{IGSID}?fields=name,username -> {name?, username?, id}.
import { z } from 'zod';
import { userProfile } from '../meta/wire.js';

export const instagramProfile = userProfile({ name: z.string().optional(), username: z.string().optional() });
export type InstagramProfile = z.infer<typeof instagramProfile.schema>;

export const INSTAGRAM_MAX_TEXT = 1000;
