// The sandbox's channels: every channel GET /api/v1/channels marks `sandbox` has an adapter in
// connectors/<kind>/sandbox.ts (see connectors/sandbox.ts). Loaded by kind, so the demo keeps
// no list of its own and the Worker never bundles a fake.
import type { SandboxAdapter } from '../../../connectors/sandbox.js';

export async function loadSandbox(kind: string): Promise<SandboxAdapter> {
  if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`not a channel kind: ${kind}`);
  const mod = await import(`../../../connectors/${kind}/sandbox.js`) as { sandbox?: SandboxAdapter };
  if (!mod.sandbox) throw new Error(`connectors/${kind}/sandbox.ts exports no sandbox`);
  return mod.sandbox;
}
