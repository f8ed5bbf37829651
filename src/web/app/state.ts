// What the whole app shares: who is logged in and the directory (users, inboxes, teams).
import { get, optional } from './api.js';

/** Admins and leads get every field; agents see teammates as id, name and availability only. */
export interface User { id: string; email?: string; name: string; role?: 'admin' | 'lead' | 'agent'; locale?: string; availability?: string; disabledAt?: string | null }
export interface Inbox { id: string; name: string; channel: string; webhookUrl?: string; webchatToken?: string; widgetSnippet?: string; settings: Record<string, any>; config: Record<string, any>; health: string; healthError: string | null;
  /** Admins: items of signed webhooks that were skipped, per type. */
  webhookSkipped?: { type: string; count: number; lastReason: string | null; lastAt: string }[];
  import?: { state: 'running' | 'paused' | 'done'; done: number; total: number | null; remaining: number | null; ratePerSecond: number; etaSeconds: number | null } | null }
export interface Team { id: string; name: string }

export const state = {
  me: null as User | null,
  users: [] as User[],
  inboxes: [] as Inbox[],
  /** null when this build has no teams endpoint. */
  teams: null as Team[] | null,
  channels: [] as Channel[],
};

export const isManager = () => state.me?.role === 'admin' || state.me?.role === 'lead';
export const isAdmin = () => state.me?.role === 'admin';
export const userName = (id: string | null | undefined) => (id ? state.users.find((u) => u.id === id)?.name ?? id.slice(-6) : '');
export const inboxById = (id: string) => state.inboxes.find((i) => i.id === id);

export async function loadDirectory(): Promise<void> {
  const [users, inboxes, teams, channels] = await Promise.all([
    get<{ data: User[] }>('/api/v1/users').catch(() => ({ data: [] as User[] })),
    get<{ data: Inbox[] }>('/api/v1/inboxes'),
    optional<{ data: Team[] }>('/api/v1/teams').catch(() => null),
    // Badges fall back to the kind's first letters on a server without the endpoint.
    optional<{ data: Channel[] }>('/api/v1/channels').catch(() => null),
  ]);
  state.users = users.data;
  state.inboxes = inboxes.data;
  state.teams = teams ? teams.data : null;
  state.channels = channels ? channels.data : [];
}

/** A channel as GET /api/v1/channels describes it (the registry's list; nothing here names one). */
export interface Channel {
  kind: string;
  label: string;
  badge: string;
  color: string;
  configTemplate: Record<string, unknown>;
  configSchema: { properties?: Record<string, unknown> } | null;
  receives: { webhook: boolean; polling: boolean; publicWidget: boolean };
}

export const channelOf = (kind: string): Channel | undefined => state.channels.find((c) => c.kind === kind);
/** Web chat: its visitors have no platform address (no reply target to show or change). */
export const isPublicWidget = (kind: string) => !!channelOf(kind)?.receives.publicWidget;
export const channelBadge = (kind: string) => channelOf(kind)?.badge ?? kind.slice(0, 3).toUpperCase();
/** Whether the channel's config takes this key (e.g. importHistory: the first-connect import choice). */
export const channelTakes = (kind: string, key: string) => !!channelOf(kind)?.configSchema?.properties && key in channelOf(kind)!.configSchema!.properties!;
