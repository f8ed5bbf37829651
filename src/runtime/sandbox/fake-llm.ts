// A fake OpenAI-compatible provider: real HTTP on loopback, POST /v1/chat/completions in the
// OpenAI wire format, for tests and `npm run demo`. Its answers are deterministic and built
// from the request (so tests can see grounding and masking): the system prompt's "task:" line
// picks the behaviour. Model names steer failures: "fail-429", "fail-500", "slow" (sleeps 5 s), "invent" (an
// after-hours answer with made-up account figures).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlm { url: string; baseUrl: string; requests: { model: string; messages: { role: string; content: string }[]; auth: string | null }[]; close(): Promise<void> }

const readBody = async (req: IncomingMessage) => { const parts: Buffer[] = []; for await (const c of req) parts.push(c as Buffer); return Buffer.concat(parts).toString('utf8'); };
const firstLine = (s: string) => s.split('\n').map((x) => x.trim()).find(Boolean) ?? '';

function answer(system: string, user: string, model: string): string {
  const task = /task:\s*([a-z-]+)/.exec(system)?.[1] ?? 'reply';
  const zh = /[\u3400-\u9fff]/u.test(user.split('CUSTOMER:').pop() ?? user);
  const source = /\[1\] (.+)/.exec(user)?.[1]?.trim();
  if (task === 'after-hours') {
    if (!source) return 'HANDOFF';
    if (model === 'invent') return zh ? '您的退款已批准，账户余额为 1,280.50 元。[1]' : 'Your refund of 300.00 was approved today. [1]';
    return zh ? `您好！根据《${source}》：请按文章中的步骤操作。[1]` : `Hi! According to "${source}": please follow the steps in that article. [1]`;
  }
  if (task === 'reply') return source ? (zh ? `您好，关于您的问题：${source}。请按照帮助文章操作，如仍有问题请告诉我们。[1]` : `Hello, about your question: ${source}. Please follow the help article and let us know if it still does not work. [1]`) : (zh ? '您好，我们正在核实，请稍候。' : 'Hello, we are looking into this for you.');
  if (task === 'summary') return `Summary: ${firstLine(user.replace(/^.*?CONVERSATION:/s, ''))}`;
  if (task === 'translate') {
    const target = /target language:\s*(.+)/i.exec(system)?.[1]?.trim() ?? 'English';
    return `(${target}) ${firstLine(user.replace(/^.*?TEXT:/s, ''))}`;
  }
  if (task === 'tone') return `Thank you for your patience. ${firstLine(user.replace(/^.*?DRAFT:/s, ''))}`;
  return 'OK';
}

export async function startFakeLlm(opts: { apiKey?: string } = {}): Promise<FakeLlm> {
  const requests: FakeLlm['requests'] = [];
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    const auth = req.headers.authorization ?? null;
    let body: { model?: string; messages?: { role: string; content: string }[] };
    try { body = JSON.parse(await readBody(req)); } catch { return send(400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } }); }
    const model = body.model ?? '';
    const messages = body.messages ?? [];
    requests.push({ model, messages, auth });
    if (requests.length > 200) requests.shift();
    if (opts.apiKey && auth !== `Bearer ${opts.apiKey}`) return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    if (model === 'fail-429') return send(429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } });
    if (model === 'fail-500') return send(500, { error: { message: 'The server had an error', type: 'server_error' } });
    if (model === 'slow') await new Promise((r) => setTimeout(r, 5000));
    const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
    const user = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
    const text = answer(system, user, model);
    const promptTokens = Math.ceil((system.length + user.length) / 4);
    send(200, { id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: Math.ceil(text.length / 4), total_tokens: promptTokens + Math.ceil(text.length / 4) } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, baseUrl: `${url}/v1`, requests, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
