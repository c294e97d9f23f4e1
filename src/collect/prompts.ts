/**
 * The user-simulator prompts of the paper, verbatim, and the Parrot-Ask text format. This file is the single
 * source of these strings: `parrot collect` and `parrot export sft-ask` both render through it.
 *
 * Source: Sun et al., "Parrot: Enhancing Multi-Turn Instruction Following for Large Language Models",
 * appendix B.1 (system prompt of Parrot-Ask) and appendix B.2 (prompt for ChatGPT to act as a user).
 */
import type { Message } from "../conversations/session.js";

/** Version tag recorded in session meta, bumped whenever a string below changes. */
export const PROMPT_VERSION = "parrot-b1-b2/v1";

/** Appendix B.1, verbatim: the system prompt of Parrot-Ask. */
export const PARROT_ASK_SYSTEM_PROMPT =
  "The following is a conversation between a user and an AI assistant. User statements start with [USER] and AI assistant statements start with [ASSISTANT]. You need to tell me what the user is likely to ask in each round of the conversation.";

export const USER_MARKER = "[USER]";
export const ASSISTANT_MARKER = "[ASSISTANT]";

/**
 * Appendix B.2, verbatim after the history placeholder `{###conversation history}`: the UltraChat-style prompt,
 * enhanced in the paper to ask for ellipsis, anaphora and other natural phenomena.
 */
export const PROMPTED_USER_INSTRUCTION =
  "Above is a conversation between a user and an intelligent assistant. Now suppose you are the user, say something to continue the conversation based on the given context. Make the response short and the language casual, and incorporate pronouns, ellipses, and other natural language phenomena in your response to make it more akin to real humans.";

/** One segment of a Parrot-Ask transcript: `[USER] text` or `[ASSISTANT] text`. */
function segment(m: Message): string {
  return `${m.role === "user" ? USER_MARKER : ASSISTANT_MARKER} ${m.content}`;
}

/**
 * The Parrot-Ask prompt for generating the next query (appendix B.1 format), sent as a raw completion:
 *   `<B.1 system prompt> [USER] q1 [ASSISTANT] r1 ... [USER] qk [ASSISTANT] rk [USER]`
 * Generation continues with ` q(k+1) [ASSISTANT]`; callers stop at `[ASSISTANT]` (PARROT_ASK_STOP) and trim.
 * @param history alternating user/assistant messages ending with an assistant response.
 */
export function renderParrotAskPrompt(history: ReadonlyArray<Message>): string {
  return [PARROT_ASK_SYSTEM_PROMPT, ...history.map(segment), USER_MARKER].join(" ");
}

/** Stop strings for Parrot-Ask generation: the next assistant marker ends the query. */
export const PARROT_ASK_STOP = [ASSISTANT_MARKER];

/** Character span [start, end) in a rendered transcript. */
export interface Span {
  start: number;
  end: number;
  /** Index of the message in the session. */
  message: number;
}

/**
 * A whole session in the Parrot-Ask training format, with the spans Eq. 3 trains on.
 *   text: `<B.1 system prompt> [USER] q1 [ASSISTANT] r1 [USER] q2 [ASSISTANT] r2 ...`
 * `querySpans[i]` covers ` q_i [ASSISTANT]`: the query (with the separating space that the prompt leaves to the
 * model) and the `[ASSISTANT]` marker that ends it, so a trained model learns both the query and when to stop.
 * The final query of a session that ends with a user message has no closing marker in its span.
 */
export function renderParrotAskTranscript(messages: ReadonlyArray<Message>): { text: string; querySpans: Span[] } {
  let text = PARROT_ASK_SYSTEM_PROMPT;
  const querySpans: Span[] = [];
  messages.forEach((m, i) => {
    if (m.role === "user") {
      text += ` ${USER_MARKER}`;
      const start = text.length;
      text += ` ${m.content}`;
      const next = messages[i + 1];
      if (next) text += ` ${ASSISTANT_MARKER}`;
      querySpans.push({ start, end: text.length, message: i });
    } else {
      // The assistant marker was already written after the query.
      if (i === 0) text += ` ${ASSISTANT_MARKER}`;
      text += ` ${m.content}`;
    }
  });
  return { text, querySpans };
}

/**
 * Appendix B.2 prompt: `{###conversation history}` replaced by the history rendered as `User: ...` /
 * `Assistant: ...` blocks, followed by the instruction. Sent as one user message to a chat model.
 */
export function renderPromptedUserPrompt(history: ReadonlyArray<Message>): string {
  const conv = history.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.content}`).join("\n\n");
  return `${conv}\n\n${PROMPTED_USER_INSTRUCTION}`;
}
