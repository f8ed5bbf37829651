// One SSE client of the soak: reads and counts events by type, or (stalled) opens the stream
// and never reads, like a laptop lid closed mid-stream.
export interface Reader { counts: Map<string, number>; createdIds: number[]; ended: boolean; error?: string; close(): void }

export async function openReader(url: string, token: string, stalled: boolean): Promise<Reader> {
  const ctl = new AbortController();
  const r: Reader = { counts: new Map(), createdIds: [], ended: false, close: () => ctl.abort() };
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
  if (stalled) return r;
  void (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.+)$/m.exec(block)?.[1];
          if (ev) r.counts.set(ev, (r.counts.get(ev) ?? 0) + 1);
          if (ev === 'message.created') r.createdIds.push(Number(/^id: (\d+)$/m.exec(block)?.[1]));
        }
      }
    } catch (err) {
      if (!ctl.signal.aborted) r.error = (err as Error).message;
    }
    r.ended = true;
  })();
  return r;
}
