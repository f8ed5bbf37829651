// OpenAI-compatible chat completions over fetch (OpenAI, DeepSeek, Qwen's compatible mode,
// Ollama's /v1, vLLM): POST {baseUrl}/chat/completions with a bearer key. Web-standard fetch
// only, so it runs on Node and Workers alike.
import { ModelError, type ChatMessage, type Completion, type LanguageModel } from './language-model.js';

export interface OpenAiChatConfig { baseUrl: string; model: string; apiKey: string | null }

interface Wire { choices?: { message?: { content?: string | null } }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } }

export function openAiChat(cfg: OpenAiChatConfig, fetchImpl: typeof fetch = fetch): LanguageModel {
  const url = `${cfg.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    model: cfg.model,
    async complete(messages: ChatMessage[], opts): Promise<Completion> {
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST', signal: opts.signal, redirect: 'error',
          headers: { 'content-type': 'application/json', ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
          body: JSON.stringify({ model: cfg.model, messages, max_tokens: opts.maxTokens, temperature: opts.temperature, stream: false }),
        });
      } catch (err) {
        if (opts.signal.aborted) throw new ModelError('timeout', 'The model did not answer in time');
        throw new ModelError('error', `Could not reach the model: ${(err as Error).message}`);
      }
      if (res.status === 429) { await res.body?.cancel(); throw new ModelError('rate_limited', 'The model provider is rate limiting (429)'); }
      if (!res.ok) {
        const detail = (await res.text().catch(() => '')).slice(0, 300);
        throw new ModelError('error', `The model provider answered ${res.status}${detail ? `: ${detail}` : ''}`);
      }
      let body: Wire;
      try { body = (await res.json()) as Wire; } catch (err) {
        if (opts.signal.aborted) throw new ModelError('timeout', 'The model did not answer in time');
        throw new ModelError('error', 'The model provider sent a body that is not JSON');
      }
      const text = body.choices?.[0]?.message?.content;
      if (typeof text !== 'string' || !text.trim()) throw new ModelError('error', 'The model provider sent no message');
      return { text: text.trim(), promptTokens: body.usage?.prompt_tokens ?? null, completionTokens: body.usage?.completion_tokens ?? null };
    },
  };
}
