// One call to the account's model: messages masked first, a hard timeout, every outcome logged
// in assistant_calls (what was sent, tokens, latency). Never throws for provider trouble: a
// timeout, 429 or 5xx comes back as {ok:false}, so no conversation waits on a provider.
import type { Deps } from '../../deps.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { ModelError, type ChatMessage, type LanguageModel, type ModelFailure } from './language-model.js';
import { maskPersonalData } from './mask.js';
import { openAiChat } from './openai-chat.js';
import { assistantConfig } from './settings.js';
import { refuseUrl } from './url-guard.js';

export type CallResult = { ok: true; text: string; callId: string } | { ok: false; reason: ModelFailure | 'disabled'; message: string; callId?: string };

export interface CallInput { action: string; conversationId?: string | null; userId?: string | null; messages: ChatMessage[]; maxTokens?: number; temperature?: number }

/** Test seam: the runtime may supply a model for a config (defaults to the OpenAI-compatible client). */
export type ModelFactory = (cfg: { baseUrl: string; model: string; apiKey: string | null }) => LanguageModel;

export async function callModel(deps: Deps, input: CallInput): Promise<CallResult> {
  const cfg = await assistantConfig(deps);
  if (!cfg) return { ok: false, reason: 'disabled', message: 'The AI assistant is off (admin: Assistant settings)' };
  const refused = refuseUrl(cfg.baseUrl, Boolean(deps.allowPrivateNetwork));
  if (refused) return { ok: false, reason: 'error', message: refused };
  // Through the runtime's network guard too: refuseUrl sees the name, the guard the addresses it resolves to.
  const model = (deps.modelFactory ?? ((c: typeof cfg) => openAiChat(c, deps.httpFetch as typeof fetch)))(cfg);
  const messages = input.messages.map((m) => ({ role: m.role, content: maskPersonalData(m.content) }));
  const id = newId();
  const started = Date.now();
  let text: string | null = null;
  let status: 'ok' | ModelFailure = 'ok';
  let error: string | null = null;
  let tokens: { prompt: number | null; completion: number | null } = { prompt: null, completion: null };
  try {
    const out = await model.complete(messages, { maxTokens: input.maxTokens ?? 600, temperature: input.temperature ?? 0.2, signal: AbortSignal.timeout(cfg.timeoutMs) });
    text = out.text;
    tokens = { prompt: out.promptTokens, completion: out.completionTokens };
  } catch (err) {
    status = err instanceof ModelError ? err.kind : 'error';
    error = (err as Error).message;
  }
  const latency = Date.now() - started;
  await deps.store.run(`INSERT INTO assistant_calls(id, action, conversation_id, user_id, model, request, response, status, error, prompt_tokens, completion_tokens, latency_ms, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [id, input.action, input.conversationId ?? null, input.userId ?? null, cfg.model, JSON.stringify(messages),
    text, status, error, tokens.prompt, tokens.completion, latency, deps.clock.now()]);
  if (status !== 'ok' || text === null) {
    deps.log.warn({ action: input.action, status, latencyMs: latency }, 'model call failed');
    return { ok: false, reason: status === 'ok' ? 'error' : status, message: error ?? 'No answer', callId: id };
  }
  return { ok: true, text, callId: id };
}

/** For the API: a failed call is a 502/503 with the reason; the caller decides. */
export function callError(r: Extract<CallResult, { ok: false }>): AppError {
  if (r.reason === 'disabled') return new AppError(409, 'assistant_disabled', r.message);
  if (r.reason === 'timeout') return new AppError(503, 'model_timeout', r.message);
  if (r.reason === 'rate_limited') return new AppError(503, 'model_rate_limited', r.message);
  return new AppError(502, 'model_error', r.message);
}
