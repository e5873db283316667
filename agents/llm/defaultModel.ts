// The model LLM agents use when none is given. Kept off the SDK's deprecation list (the test
// reads that list from @anthropic-ai/sdk itself), so a fresh install never starts on a model
// that is about to reach end-of-life.
export const DEFAULT_MODEL = 'claude-sonnet-4-6'
