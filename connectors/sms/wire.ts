// Twilio-style SMS wire formats: form-encoded webhooks in, the Messages API out.
import { z } from 'zod';

/** Inbound message webhook (application/x-www-form-urlencoded). */
export const inboundSms = z.object({
  MessageSid: z.string().min(1),
  AccountSid: z.string().optional(),
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
  NumMedia: z.string().optional(),
}).passthrough();

/** Status callback for a message we sent (StatusCallback URL). */
export const statusCallback = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string(),
  ErrorCode: z.string().optional(),
  ErrorMessage: z.string().optional(),
}).passthrough();

/** POST /2010-04-01/Accounts/{AccountSid}/Messages.json answer (201). */
export const messageResource = z.object({ sid: z.string(), status: z.string() }).passthrough();

/** Error body of the REST API. */
export const apiError = z.object({ code: z.number().optional(), message: z.string().optional(), more_info: z.string().optional(), status: z.number().optional() }).passthrough();

/** Form fields of a send. */
export interface SendMessageForm { To: string; From?: string; MessagingServiceSid?: string; Body: string; StatusCallback?: string }
