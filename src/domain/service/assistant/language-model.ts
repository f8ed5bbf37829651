// The LanguageModel port: one chat completion. The assistant's actions and the after-hours
// bot talk to a model only through this, so a provider is one small adapter (see
// openai-chat.ts, which speaks the OpenAI-compatible wire format most providers offer).
export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
export interface Completion { text: string; promptTokens: number | null; completionTokens: number | null }

export interface LanguageModel {
  readonly model: string;
  complete(messages: ChatMessage[], opts: { maxTokens: number; temperature: number; signal: AbortSignal }): Promise<Completion>;
}

/** Why a call produced no text: the conversation goes on without it. */
export type ModelFailure = 'timeout' | 'rate_limited' | 'error';

export class ModelError extends Error {
  constructor(public readonly kind: ModelFailure, message: string) { super(message); }
}
