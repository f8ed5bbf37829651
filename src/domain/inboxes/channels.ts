// The list of channels as clients see it: one entry per registered connector, everything
// the web app, the OpenAPI text and the sandbox need to know about a channel without naming it.
import { z } from 'zod';
import type { Registry } from '../../../connectors/types.js';
import type { Connector } from '../../../connectors/types.js';

export interface ChannelView {
  kind: string;
  label: string;
  badge: string;
  color: string;
  /** The config keys a new inbox takes, as JSON Schema (input side: defaults may be left out). */
  configSchema: Record<string, unknown> | null;
  configTemplate: Record<string, unknown>;
  /** Config keys never returned by the API (shown redacted). */
  secretFields: string[];
  /** How messages arrive: by webhook (/webhooks/:inboxId), by polling, or by the public widget. */
  receives: { webhook: boolean; polling: boolean; publicWidget: boolean };
  limits: Connector['limits'];
  /** `npm run demo` runs it against its fake (connectors/<kind>/sandbox.ts). */
  sandbox: boolean;
}

// A schema zod cannot express (a transform, a custom check) is described as far as it can be.
function configSchema(c: Connector): Record<string, unknown> | null {
  try {
    return z.toJSONSchema(c.config as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const views = new WeakMap<Connector, ChannelView>();

export function channelView(c: Connector): ChannelView {
  let v = views.get(c);
  if (!v) {
    v = {
      kind: c.kind, label: c.info.label, badge: c.info.badge, color: c.info.color,
      configSchema: configSchema(c), configTemplate: c.info.configTemplate, secretFields: c.secretFields ?? [],
      receives: { webhook: !!c.parse, polling: !!(c.poll || c.openSession), publicWidget: !!c.info.publicWidget },
      limits: c.limits, sandbox: !!c.info.sandbox,
    };
    views.set(c, v);
  }
  return v;
}

export const listChannels = (registry: Registry): ChannelView[] => [...registry.values()].map(channelView);
