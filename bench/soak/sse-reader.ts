// One SSE client of the soak: reads and counts events by type, or (stalled) opens the stream
// and never reads, like a laptop lid closed mid-stream. A reading client that is cut off (it fell
// too far behind) or dropped reconnects with Last-Event-ID, as a browser's EventSource does, and
// counts each message.created once by id. It reads only each block's id and event lines, on
// bytes: on this machine the readers share the server's two cores, and decoding every payload
// would take CPU from the server that a real client spends on its own machine.
export interface Reader { counts: Map<string, number>; created: Set<number>; reconnects: number; ended: boolean; error?: string; close(): void }

const MAX_RECONNECTS = 100;
const HEADER = /^id: (\d+)\nevent: ([^\n]+)|^event: ([^\n]+)/;

export async function openReader(url: string, token: string, stalled: boolean): Promise<Reader> {
  const ctl = new AbortController();
  const r: Reader = { counts: new Map(), created: new Set(), reconnects: 0, ended: false, close: () => ctl.abort() };
  let lastId = 0;
  const connect = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...(lastId ? { 'last-event-id': String(lastId) } : {}) }, signal: ctl.signal });
    if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
    return res;
  };
  const onBlock = (head: string) => {
    const m = HEADER.exec(head);
    if (!m) return;
    const type = m[2] ?? m[3];
    r.counts.set(type, (r.counts.get(type) ?? 0) + 1);
    if (m[1]) {
      lastId = Number(m[1]);
      if (type === 'message.created') r.created.add(lastId);
    }
  };
  const consume = async (res: Response) => {
    let rest = Buffer.alloc(0);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let at = 0;
      for (let end; (end = buf.indexOf('\n\n', at)) >= 0; at = end + 2) onBlock(buf.toString('latin1', at, Math.min(end, at + 120)));
      rest = Buffer.from(buf.subarray(at));
    }
  };
  const first = await connect();
  if (stalled) return r;
  void (async () => {
    let res = first;
    for (;;) {
      try { await consume(res); } catch (err) { if (!ctl.signal.aborted) r.error = (err as Error).message; }
      if (ctl.signal.aborted) break;
      if (++r.reconnects > MAX_RECONNECTS) { r.error = `more than ${MAX_RECONNECTS} reconnects`; break; }
      r.error = undefined;
      await new Promise((ok) => setTimeout(ok, 250));
      for (;;) {
        try { res = await connect(); break; } catch (err) {
          if (ctl.signal.aborted || ++r.reconnects > MAX_RECONNECTS) { r.error = (err as Error).message; break; }
          await new Promise((ok) => setTimeout(ok, 1_000));
        }
      }
      if (r.error) break;
    }
    r.ended = true;
  })();
  return r;
}
