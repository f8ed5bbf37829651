// The prompts of the assistant's actions. Each system prompt starts with a "task:" line (the
// fake provider keys on it; real models ignore it) and says what the model must not do.
import type { ChatMessage } from './language-model.js';

export interface Source { n: number; title: string; body: string }

const sourcesBlock = (sources: Source[]) => sources.map((s) => `[${s.n}] ${s.title}\n${s.body}`).join('\n\n');

export const replyPrompt = (customer: string, sources: Source[], lang: string): ChatMessage[] => [
  { role: 'system', content: `task: reply\nYou draft a reply for a customer-support agent of a payments wallet. Use only the numbered sources; cite them like [1]. ` +
    `Never state account-specific facts (balances, whether a refund is approved, transaction outcomes) that the sources do not give. Reply in ${lang}. Keep it short and polite.` },
  { role: 'user', content: `SOURCES:\n${sourcesBlock(sources) || '(none)'}\n\nCUSTOMER:\n${customer}` },
];

export const summaryPrompt = (transcript: string): ChatMessage[] => [
  { role: 'system', content: 'task: summary\nSummarize this support conversation for the agent taking it over: the customer\'s problem, what was tried, what is still open. At most 5 short bullet points, in the language the agent reads (English unless the conversation is all Chinese).' },
  { role: 'user', content: `CONVERSATION:\n${transcript}` },
];

export const translatePrompt = (text: string, target: string): ChatMessage[] => [
  { role: 'system', content: `task: translate\nTranslate the text. Target language: ${target}\nKeep names, numbers and placeholders like [CARD] unchanged. Output only the translation.` },
  { role: 'user', content: `TEXT:\n${text}` },
];

export const tonePrompt = (draft: string): ChatMessage[] => [
  { role: 'system', content: 'task: tone\nRewrite the support agent\'s draft to be warm, clear and professional, in the same language. Keep every fact and number; add none. Output only the rewritten reply.' },
  { role: 'user', content: `DRAFT:\n${draft}` },
];

export const afterHoursPrompt = (customer: string, sources: Source[], lang: string): ChatMessage[] => [
  { role: 'system', content: `task: after-hours\nYou answer a payments wallet's customers while the team is away. Answer ONLY from the numbered FAQ articles and cite the one you use like [1]. ` +
    `Never invent or guess account-specific facts (balances, refund approvals, transaction status, limits for this customer). If the articles do not answer the question, reply exactly HANDOFF. Reply in ${lang}, in at most 4 sentences.` },
  { role: 'user', content: `FAQ ARTICLES:\n${sourcesBlock(sources)}\n\nCUSTOMER:\n${customer}` },
];
