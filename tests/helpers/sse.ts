// One Server-Sent Events block ("event: …" / "data: …" lines) as the tests read it.
export function parseSseBlock(block: string): { event: string; data: unknown } | null {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  return data ? { event, data: JSON.parse(data) } : null;
}

export interface SseEvent { event: string; data: any }

/** A response body as the stream of its SSE events (blocks end with a blank line). */
export function sseEvents(body: NonNullable<Response['body']>): ReadableStream<SseEvent> {
  let buf = '';
  return body.pipeThrough(new TextDecoderStream()).pipeThrough(new TransformStream<string, SseEvent>({
    transform(text, out) {
      buf += text;
      let idx;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const e = parseSseBlock(buf.slice(0, idx));
        buf = buf.slice(idx + 2);
        if (e) out.enqueue(e as SseEvent);
      }
    },
  }));
}
