/**
 * Prompts of the three CaPO negative-response strategies (paper section 3.3, Fig. 2 (b)). The paper describes the
 * strategies but does not publish their prompts; these strings are ours, written from its descriptions, and are
 * the single source for `parrot capo`. Bump CAPO_PROMPT_VERSION on any change (recorded in every pair's meta).
 *
 * - context-neglect: "using ChatGPT to generate responses without considering the dialogue history" -> the query
 *   alone, no history (one call).
 * - context-hallucination: "first prompt ChatGPT to guess what anaphora or ellipsis refers to or what is omitted
 *   without seeing the context, and then generate responses based on its guesses" -> two calls, neither sees the
 *   history: a guess, then an answer to the query read with that guess.
 * - context-misunderstanding: "instruct ChatGPT to select irrelevant information from the conversation history and
 *   misinterpret it as ellipsis or anaphora information in the current query" -> one call that sees the history.
 */
import type { ChatMessage } from "../llm/types.js";
import type { Message } from "../conversations/session.js";

export const CAPO_PROMPT_VERSION = "parrot-capo/v1";

/** context-neglect: the query is sent alone, as a fresh single-turn conversation (no system prompt, no history). */
export function neglectMessages(query: string): ChatMessage[] {
  return [{ role: "user", content: query }];
}

/** context-hallucination, call 1 (ours): guess the referents/omissions without any context. */
export const HALLUCINATION_GUESS_INSTRUCTION =
  "The following message was taken from the middle of a conversation, but the earlier part of the conversation is not " +
  "available. It may contain pronouns, demonstratives or definite phrases that refer to things mentioned earlier, or " +
  "leave out words that were given earlier. Without asking for clarification, make a concrete guess at what each such " +
  "reference refers to and what was omitted, and rewrite the message as a complete, self-contained request that uses " +
  "your guesses. Reply with the rewritten message only.";

export function hallucinationGuessMessages(query: string): ChatMessage[] {
  return [{ role: "user", content: `${HALLUCINATION_GUESS_INSTRUCTION}\n\nMessage:\n${query}` }];
}

/** context-hallucination, call 2 (ours): answer the query as read through the guess (still no history). */
export function hallucinationAnswerMessages(query: string, guess: string): ChatMessage[] {
  return [
    {
      role: "user",
      content:
        `${query}\n\n(Here is what I mean: ${guess.trim()})\n\n` +
        "Answer my request directly, as understood above.",
    },
  ];
}

/** context-misunderstanding (ours): pick irrelevant information from the history and take it as the referent. */
export const MISUNDERSTANDING_INSTRUCTION =
  "Below is a conversation between a user and an assistant, followed by the user's latest message. Your task is to " +
  "produce a deliberately mistaken reply for training data: pick some information from the conversation history that " +
  "is NOT what the latest message refers to (for example a different item, an earlier sub-topic, or a detail " +
  "mentioned in passing), interpret the latest message's pronouns, references or omitted parts as if they referred " +
  "to that information, and answer the latest message accordingly. Write the reply as the assistant would, fluently " +
  "and confidently, without mentioning that you chose a different referent and without any preamble.";

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)} [...]` : s);
/** Characters of each history message shown in the misunderstanding prompt. */
export const MISUNDERSTANDING_MESSAGE_CHARS = 4000;

export function misunderstandingMessages(history: ReadonlyArray<Message>, query: string): ChatMessage[] {
  const transcript = history
    .map((m) => `[${m.role === "user" ? "USER" : "ASSISTANT"}] ${clip(m.content, MISUNDERSTANDING_MESSAGE_CHARS)}`)
    .join("\n\n");
  return [
    {
      role: "user",
      content: `${MISUNDERSTANDING_INSTRUCTION}\n\nConversation history:\n${transcript}\n\nLatest user message:\n${query}\n\nYour (mistaken) reply:`,
    },
  ];
}
