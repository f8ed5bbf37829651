// May an agent write to this customer now, and how: freely inside the channel's window, under
// a platform tag after it (limits.taggedReply), only with an approved template
// (limits.templatesOutsideWindow), or not at all (window closed, or the customer opted out on
// this channel account). One answer for the composer (GET reply-options) and for writeOutgoing.
import type { Connector } from '../../../connectors/types.js';
import type { Deps } from '../deps.js';
import type { Row } from '../core/store.js';

export type ReplyState = 'open' | 'tagged' | 'templates_only' | 'closed' | 'opted_out';

export interface ReplyPolicy {
  state: ReplyState;
  /** When free replies end (open) or the tagged window ends (tagged); null = no window. */
  closesAt: number | null;
  tag?: string;
  /** A sentence for the agent when free text is refused. */
  reason?: string;
}

const H = 3_600_000;

export async function replyPolicy(deps: Deps, conv: Row, connector: Connector<any> | undefined, now: number): Promise<ReplyPolicy> {
  const optedOut = await deps.store.get<{ opted_out_at: number | null }>('SELECT opted_out_at FROM contact_identities WHERE id = ?', [conv.identity_id]);
  if (optedOut?.opted_out_at) {
    return { state: 'opted_out', closesAt: null, reason: `The customer opted out of messages from this number on ${new Date(optedOut.opted_out_at).toISOString()} (STOP); replies are refused until they text START` };
  }
  const windowH = connector?.limits.replyWindowHours;
  if (!windowH) return { state: 'open', closesAt: null };
  const last = conv.last_incoming_at as number | null;
  if (last != null && now <= last + windowH * H) return { state: 'open', closesAt: last + windowH * H };
  const tagged = connector!.limits.taggedReply;
  if (last != null && tagged && now <= last + tagged.hours * H) return { state: 'tagged', closesAt: last + tagged.hours * H, tag: tagged.tag };
  const iso = (h: number) => new Date(last! + h * H).toISOString();
  if (connector!.limits.templatesOutsideWindow && connector!.listTemplates) {
    return { state: 'templates_only', closesAt: null, reason: last == null
      ? `This channel allows free replies only within ${windowH} hours of the customer's message, and the customer has not written yet: send an approved template`
      : `This channel allows free replies only within ${windowH} hours of the customer's last message; the window closed at ${iso(windowH)}: send an approved template` };
  }
  const limit = tagged ? `${windowH} hours (${tagged.hours / 24} days with the ${tagged.tag} tag)` : `${windowH} hours`;
  return { state: 'closed', closesAt: null, reason: last == null
    ? `This channel only allows replies within ${limit} of the customer's message, and the customer has not written yet`
    : `This channel only allows replies within ${limit} of the customer's last message; the window closed at ${iso(tagged?.hours ?? windowH)}` };
}
