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
};

export const isManager = () => state.me?.role === 'admin' || state.me?.role === 'lead';
export const isAdmin = () => state.me?.role === 'admin';
export const userName = (id: string | null | undefined) => (id ? state.users.find((u) => u.id === id)?.name ?? id.slice(-6) : '');
export const inboxById = (id: string) => state.inboxes.find((i) => i.id === id);

export async function loadDirectory(): Promise<void> {
  const [users, inboxes, teams] = await Promise.all([
    get<{ data: User[] }>('/api/v1/users').catch(() => ({ data: [] as User[] })),
    get<{ data: Inbox[] }>('/api/v1/inboxes'),
    optional<{ data: Team[] }>('/api/v1/teams').catch(() => null),
  ]);
  state.users = users.data;
  state.inboxes = inboxes.data;
  state.teams = teams ? teams.data : null;
}

export const CHANNEL_BADGE: Record<string, string> = {
  webchat: 'WEB', email: 'MAIL', twitter: 'X', messenger: 'FB', instagram: 'IG', whatsapp: 'WA', telegram: 'TG', sms: 'SMS', api: 'API',
};
