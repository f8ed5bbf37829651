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
