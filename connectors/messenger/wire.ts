// Messenger Platform wire format (Meta docs: Webhooks for Messenger, Send API, User Profile API).
// Webhook (the `messaging[]` shape in meta/wire.ts): {object:"page", entry:[{id: PAGE_ID, time,
//   messaging:[{sender:{id: PSID}, recipient:{id: PAGE_ID}, timestamp, message:{mid, text?,
//   attachments?:[{type, payload:{url}}], is_echo?, app_id?}} | {..., delivery:{mids, watermark}}
//   | {..., read:{watermark}}]}]}
// Echoes swap sender and recipient: sender is the Page, recipient the customer.
// Send: POST /{version}/{PAGE_ID}/messages {messaging_type:"RESPONSE", recipient:{id}, message:{text}}
//   -> {recipient_id, message_id}; text is at most 2000 characters.
// Profile: GET /{version}/{PSID}?fields=first_name,last_name -> {first_name, last_name, id}.
import { z } from 'zod';
import { userProfile } from '../meta/wire.js';

export const messengerProfile = userProfile({ first_name: z.string().optional(), last_name: z.string().optional() });
export type MessengerProfile = z.infer<typeof messengerProfile.schema>;

export const MESSENGER_MAX_TEXT = 2000;
