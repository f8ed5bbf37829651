// Contacts: list/search, one contact with its identities and conversations, edit (custom
// attributes merge; null deletes a key), merge, merge suggestions, cross-channel timeline.
import { createRoute, z } from '@hono/zod-openapi';
import { contactTimeline, getContact, listContacts, mergeContacts, mergeSuggestions, updateContact } from '../domain/people/contacts.js';
import { auditBy } from './audit-act.js';
import { router } from './env.js';
import { childPageRoute, readRoute } from './resource-routes.js';
import { ConversationSchema, errors, IdParam, jsonBody, jsonResponse, MessageSchema, page, PageQuery } from './schemas.js';

const Identity = z.object({ id: z.string(), inboxId: z.string(), channel: z.string(), externalId: z.string(), handle: z.string().nullable(), createdAt: z.string().nullable() });
const ContactBase = z.object({
  id: z.string(), name: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(),
  attributes: z.record(z.string(), z.any()).openapi({ example: { accountId: 'A-1001', lastTransactionId: 'T-77' } }), createdAt: z.string().nullable(),
});
export const ContactSchema = ContactBase.extend({
  identities: z.array(Identity),
  conversations: z.array(ConversationSchema).openapi({ description: 'Newest activity first, at most 100 (all via GET /conversations?contactId=)' }),
  redirectedFrom: z.string().optional().openapi({ description: 'Set when the requested id was merged into this contact' }),
}).openapi('Contact');
const ContactListItem = ContactBase.extend({ identities: z.array(z.object({ channel: z.string(), handle: z.string().nullable() })) });

const Patch = z.object({
  name: z.string().max(200).nullable().optional(),
  email: z.string().trim().max(320).email().nullable().optional().or(z.literal('').transform(() => null)),
  phone: z.string().trim().max(40).regex(/^[+0-9 ()\-.]*$/, 'phone may hold digits, spaces, + ( ) - . only').nullable().optional(),
  attributes: z.record(z.string().min(1).max(100), z.any()).optional().openapi({ description: 'Merged into the stored attributes; a null value deletes that key' }),
}).openapi('ContactPatch');

const MergeSuggestions = z.object({ data: z.array(ContactBase.extend({ identities: z.array(Identity), reasons: z.array(z.enum(['email', 'phone', 'handle'])), matchedHandles: z.array(z.string()) })) });
const TimelineItem = MessageSchema.extend({ inboxId: z.string(), channel: z.string(), conversationStatus: z.string() });

export const contactRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/contacts', tags: ['Contacts'], summary: 'Contacts the caller may see, newest first',
    request: { query: PageQuery.extend({ q: z.string().max(200).optional().openapi({ description: 'Name, email or phone' }) }) },
    responses: { 200: jsonResponse(page(ContactListItem), 'A page'), ...errors } }),
  async (c) => {
    const { q, limit, cursor } = c.req.valid('query');
    return c.json(await listContacts(c.var.deps, c.var.actor, q, limit, cursor), 200);
  });

  readRoute(app, { path: '/contacts/{id}', tag: 'Contacts', summary: 'One contact; a merged-away id answers with the surviving contact (redirectedFrom set)',
    schema: ContactSchema, description: 'The contact', read: getContact });

  app.openapi(createRoute({ method: 'patch', path: '/contacts/{id}', tags: ['Contacts'], summary: 'Edit name, email, phone, custom attributes',
    request: { params: IdParam, ...jsonBody(Patch) }, responses: { 200: jsonResponse(ContactSchema, 'The contact'), ...errors } }),
  async (c) => c.json(await updateContact(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  app.openapi(createRoute({ method: 'post', path: '/contacts/{id}/merge', tags: ['Contacts'],
    summary: 'Merge another contact into this one (identities, conversations, messages move; nothing is lost)',
    request: { params: IdParam, ...jsonBody(z.object({ otherContactId: z.string().min(1).max(100) })) },
    responses: { 200: jsonResponse(ContactSchema.extend({ merged: z.object({ contactId: z.string(), identities: z.number(), conversations: z.number() }) }), 'The surviving contact'), ...errors } }),
  async (c) => c.json(await mergeContacts(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').otherContactId, auditBy(c)), 200));

  readRoute(app, { path: '/contacts/{id}/merge-suggestions', tag: 'Contacts', summary: 'Contacts sharing an email, phone or handle',
    schema: MergeSuggestions, description: 'Suggestions', read: mergeSuggestions });

  childPageRoute(app, { path: '/contacts/{id}/timeline', tag: 'Contacts', summary: 'The contact\'s messages on every channel, newest first', item: TimelineItem, list: contactTimeline });
  return app;
};
