/**
 * User simulators: given a session so far (ending with an assistant response), write the next user query.
 * - `parrot-ask`: a model trained as Parrot-Ask (section 3.2, Eq. 3), prompted in the appendix B.1 text format as a
 *   raw completion that stops at `[ASSISTANT]`.
 * - `prompted`: a chat model asked to act as the user with appendix B.2's prompt (the UltraChat-style baseline).
 */
import type { Message } from "../conversations/session.js";
import type { GenerateOptions, LanguageModel } from "../llm/types.js";
import { PARROT_ASK_STOP, USER_MARKER, renderParrotAskPrompt, renderPromptedUserPrompt } from "./prompts.js";
import { cutAtStop } from "../llm/stop.js";

export type SimulatorMode = "parrot-ask" | "prompted";

/** One simulated query: the cleaned text, the tokens it cost, and how generation ended ("length": cut at max tokens). */
export interface SimulatedQuery {
  query: string;
  tokens: number;
  finishReason?: string;
}

export interface UserSimulator {
  readonly mode: SimulatorMode;
  /** The next query (cleaned), plus token usage. */
  nextQuery(history: ReadonlyArray<Message>, options?: GenerateOptions): Promise<SimulatedQuery>;
}

/**
 * Clean a Parrot-Ask continuation: cut at a further `[USER]`/`[ASSISTANT]` marker, trim whitespace.
 */
export function cleanParrotAskOutput(text: string): string {
  return cutAtStop(text, [...PARROT_ASK_STOP, USER_MARKER]).trim();
}

/**
 * Clean a prompted-simulator reply: drop a leading role label ("User:", "Me:") and matching surrounding quotes.
 */
export function cleanPromptedOutput(text: string): string {
  let out = text.trim();
  out = out.replace(/^(?:\*\*)?(?:user|me|human)(?:\*\*)?\s*:\s*/i, "");
  const m = /^(["“'])([\s\S]*)(["”'])$/.exec(out);
  if (m && !m[2].includes(m[1] === "“" ? "”" : m[1])) out = m[2];
  return out.trim();
}

export class ParrotAskSimulator implements UserSimulator {
  readonly mode = "parrot-ask" as const;
  constructor(private readonly model: LanguageModel) {}
  async nextQuery(history: ReadonlyArray<Message>, options: GenerateOptions = {}) {
    const c = await this.model.complete(renderParrotAskPrompt(history), { ...options, stop: PARROT_ASK_STOP });
    return { query: cleanParrotAskOutput(c.text), tokens: c.usage.promptTokens + c.usage.completionTokens, finishReason: c.finishReason };
  }
}

export class PromptedSimulator implements UserSimulator {
  readonly mode = "prompted" as const;
  constructor(private readonly model: LanguageModel) {}
  async nextQuery(history: ReadonlyArray<Message>, options: GenerateOptions = {}) {
    const c = await this.model.chat([{ role: "user", content: renderPromptedUserPrompt(history) }], options);
    return { query: cleanPromptedOutput(c.text), tokens: c.usage.promptTokens + c.usage.completionTokens, finishReason: c.finishReason };
  }
}

export function createSimulator(mode: SimulatorMode, model: LanguageModel): UserSimulator {
  return mode === "parrot-ask" ? new ParrotAskSimulator(model) : new PromptedSimulator(model);
}
