// Row (snake_case, as SQLite returns it) -> API JSON (camelCase). One place per resource.
import type { Row } from './store.js';

const json = <T>(v: unknown, fallback: T): T => {
  if (v == null) return fallback;
  if (typeof v !== 'string') return v as T;
  try { return JSON.parse(v) as T; } catch { return fallback; }
};

export interface MessageView {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  private: boolean;
  content: string;
  html?: string | null;
  sender: { type: 'contact' | 'user' | 'bot'; id: string | null };
  createdAt: string;
  deliveryStatus: string | null;
  error: string | null;
  externalId: string | null;
  attachments: unknown[];
  /** An auto-reply or bounce: shown, but nothing reacts to it. */
  automated?: true;
}

export function messageView(r: Row): MessageView {
  return {
    id: r.id as string,
    conversationId: r.conversation_id as string,
    direction: r.direction as 'in' | 'out',
    private: Boolean(r.private),
    content: r.content as string,
    html: (r.html as string | null) ?? null,
    sender: { type: r.sender_type as 'contact' | 'user' | 'bot', id: (r.sender_id as string | null) ?? null },
    createdAt: new Date(r.created_at as number).toISOString(),
    deliveryStatus: (r.delivery_status as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
    attachments: json<unknown[]>(r.attachments, []),
    ...(json<Record<string, unknown>>(r.meta, {}).automated ? { automated: true as const } : {}),
  };
}

const iso = (v: unknown) => (v == null ? null : new Date(v as number).toISOString());

/** Conversation row joined with contact_name, channel, labels (comma list) and last message columns. */
export function conversationView(r: Row) {
  return {
    id: r.id as string,
    inboxId: r.inbox_id as string,
    channel: r.channel as string,
    status: r.status as string,
    subject: (r.subject as string | null) ?? null,
    assigneeId: (r.assignee_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null,
    labels: r.labels ? String(r.labels).split('\u001f').filter(Boolean).sort() : [],
    contact: { id: r.contact_id as string, name: (r.contact_name as string | null) ?? null },
    lastMessage: r.lm_content == null ? null : {
      content: r.lm_content as string,
      direction: r.lm_direction as string,
      private: Boolean(r.lm_private),
      createdAt: iso(r.lm_created_at),
    },
    lastActivityAt: iso(r.last_activity_at),
    unreadCount: r.unread_count as number,
    messageCount: r.message_count as number,
    snoozeUntil: iso(r.snooze_until),
    firstReplyAt: iso(r.first_reply_at),
    waitingSince: iso(r.waiting_since),
    lastIncomingAt: iso(r.last_incoming_at),
    resolvedAt: iso(r.resolved_at),
    createdAt: iso(r.created_at),
    // workflow-service: the open SLA clock and the customer's rating.
    sla: slaView(r.sla_json),
    csat: json<{ rating: number; comment: string | null } | null>(r.csat_json, null),
  };
}

function slaView(v: unknown): { state: string; kind: string; dueAt: string | null } | null {
  const s = json<{ state: string; kind: string; dueAt: number } | null>(v, null);
  return s ? { state: s.state, kind: s.kind, dueAt: iso(s.dueAt) } : null;
}
export type ConversationView = ReturnType<typeof conversationView>;

/** The SELECT list conversationView expects; FROM conversations c. */
export const CONVERSATION_COLUMNS = `c.*, i.channel AS channel,
  coalesce(ct.name, ct.email, ct.phone, (SELECT handle FROM contact_identities WHERE id = c.identity_id)) AS contact_name,
  (SELECT group_concat(label, char(31)) FROM conversation_labels cl WHERE cl.conversation_id = c.id) AS labels,
  lm.content AS lm_content, lm.direction AS lm_direction, lm.private AS lm_private, lm.created_at AS lm_created_at,
  (SELECT json_object('state', s.state, 'kind', s.kind, 'dueAt', s.due_at) FROM sla_clocks s WHERE s.conversation_id = c.id AND s.closed_at IS NULL ORDER BY s.started_at DESC LIMIT 1) AS sla_json,
  (SELECT json_object('rating', r.rating, 'comment', r.comment) FROM csat_responses r WHERE r.conversation_id = c.id) AS csat_json`;
export const CONVERSATION_JOINS = `JOIN inboxes i ON i.id = c.inbox_id
  JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN messages lm ON lm.id = c.last_message_id`;
