// How sure the ranking must be before an article is used. Chosen on the development and
// off-topic sets in tests/fixtures/faq-paraphrase (0.5 separates them); see docs/assistant.md.
/** The after-hours bot answers with an article only at or above this confidence (settings.bot.minConfidence overrides). */
export const DEFAULT_MIN_CONFIDENCE = 0.5;
