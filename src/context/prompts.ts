/**
 * Prompt of the LLM judge that confirms or rejects the heuristic context-dependency decision
 * (`parrot context detect --judge SPEC`). Ours: the paper (section 3.3) says only that GPT-4's judgment was used
 * together with pronoun recognition, and does not publish its prompt. Bump JUDGE_PROMPT_VERSION on any change.
 */
import type { Message } from "../conversations/session.js";

export const JUDGE_PROMPT_VERSION = "parrot-context-judge/v1";

/** System prompt (ours). */
export const CONTEXT_JUDGE_SYSTEM =
  "You are an expert annotator of multi-turn conversations. You decide whether the latest user query depends on the " +
  "earlier conversation: it does when it contains anaphora (pronouns or noun phrases that refer to something said " +
  "before), ellipsis (omitted words that must be recovered from earlier turns), or other references that make it " +
  "impossible to answer correctly without the conversation history. A query that is fully understandable on its own " +
  "does not depend on the context, even if it continues the same topic; pronouns whose referent is inside the query " +
  "itself, and material pasted into the query, do not count.";

/** Characters of each earlier message shown to the judge (long sessions are clipped, the query never is). */
export const JUDGE_MESSAGE_CHARS = 1500;

/**
 * The user message of the judge request (ours): the history, the query, the heuristic's decision and cues, and the
 * answer format. The judge must end with `VERDICT: DEPENDENT` or `VERDICT: INDEPENDENT`.
 */
export function renderContextJudgePrompt(history: ReadonlyArray<Message>, query: string, heuristic: { context_dependent: boolean; cues: string[] }): string {
  const clip = (s: string) => (s.length > JUDGE_MESSAGE_CHARS ? `${s.slice(0, JUDGE_MESSAGE_CHARS)} [...]` : s);
  const lines = history.map((m) => `[${m.role === "user" ? "USER" : "ASSISTANT"}] ${clip(m.content)}`);
  return [
    "Conversation so far:",
    ...lines,
    "",
    "Latest user query:",
    query,
    "",
    `An automatic detector says this query ${heuristic.context_dependent ? "DEPENDS" : "does NOT depend"} on the context` +
      (heuristic.cues.length ? ` (cues: ${heuristic.cues.join(", ")}).` : "."),
    "Confirm or reject this. Explain briefly, then end with exactly one line: VERDICT: DEPENDENT or VERDICT: INDEPENDENT",
  ].join("\n");
}

const NEGATIVE = /\b(?:does not|doesn't|do not|don't|not|never) (?:depend|rely|need)\b|\bindependent\b|\bself-contained\b|\bstands? on its own\b|\bcan be understood (?:alone|on its own|without)\b/i;
const POSITIVE = /\b(?:depends|relies|relying|depending) on (?:the )?(?:previous|earlier|prior|preceding|context|conversation|history)\b|\bcontext[- ]dependent\b|\brequires? (?:the )?(?:previous |earlier )?context\b/i;

/**
 * Parse the judge's verdict: the `VERDICT: DEPENDENT|INDEPENDENT` line the prompt asks for; failing that (small
 * models answer in prose: "The context of the query is that it depends on the previous conversation."), a reply
 * that states exactly one polarity in plain words. undefined when it has neither, or both.
 */
export function parseJudgeVerdict(text: string): boolean | undefined {
  const m = /VERDICT\s*:\s*\**\s*(DEPENDENT|INDEPENDENT)/i.exec(text);
  if (m) return m[1].toUpperCase() === "DEPENDENT";
  const neg = NEGATIVE.test(text);
  const pos = POSITIVE.test(text.replace(new RegExp(NEGATIVE.source, "gi"), " "));
  if (neg === pos) return undefined;
  return pos;
}
