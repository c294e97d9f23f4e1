/**
 * Role-leak detector: does a generated "user query" read as an assistant reply rather than a user turn?
 *
 * A user simulator leaks out of its role when it writes what the assistant would write: it opens by complying
 * ("Sure, here is ..."), speaks as an AI ("As an AI language model ..."), offers further help ("Let me know if ...",
 * "I hope this helps"), or answers at length with formatted structure (headers, lists) instead of asking. The paper's
 * Fig. 5 and UserLM-8b's "role adherence" (Microsoft, 2025: 93.95% staying in the user role, GPT-4o prompted as a
 * user 38.85%) measure the same failure. Used by `parrot simulator eval` (`role_leak`); kept in its own module so
 * collect's query filters (src/collect/filters.ts) can adopt it.
 *
 * Rules (first match wins, the cue is returned):
 * - `role-marker`: a role label the simulator should never write: `[ASSISTANT]`, `[USER]`, a line starting
 *   `Assistant:` / `AI:` (the collect filter's role-leak rule).
 * - `ai-self`: speaks as an AI: "as an AI", "as a language model", "I am an AI", "I'm an AI language model".
 * - `compliance-opener`: the text opens like a reply: `Sure`, `Certainly`, `Of course`, `Absolutely`, `Great
 *   question`, `Here is/are/'s`, `I'd be happy/glad to`, `I'm sorry, but I`, `I apologize`, `You're welcome`,
 *   `Thank you for your question`, `Yes, I can`, `Hello! How can I`.
 * - `offers-help`: an assistant's closing offer anywhere: "let me know if you", "feel free to ask", "I hope this
 *   helps", "is there anything else I can", "how can I help/assist you", "happy to help".
 * - `structured-answer`: long formatted text with no question in it: >= 120 words, no "?", and >= 3 list items or
 *   a markdown header. (Real users paste long text too; requiring "no question" and structure keeps most of it out.)
 *
 * Validation on real turns (test/role-leak.test.ts, numbers in bench/README.md): real assistant turns are flagged
 * often, real user turns rarely; the test asserts the measured bounds on the ShareGPT sample and OASST.
 */

export type RoleLeakCue = "role-marker" | "ai-self" | "compliance-opener" | "offers-help" | "structured-answer";

export interface RoleLeakDecision {
  leak: boolean;
  /** The rule that fired, when `leak`. */
  cue?: RoleLeakCue;
}

const ROLE_MARKER = /\[(?:ASSISTANT|USER)\]|^\s*(?:assistant|ai assistant|ai)\s*:/im;
const AI_SELF = /\bas an? (?:ai|artificial intelligence|language model|large language model)\b|\bI(?:'m| am) (?:an? )?(?:ai|artificial intelligence|language model)\b/i;
const OPENER =
  /^\s*(?:(?:sure|certainly|of course|absolutely)\b(?![\s,]*(?:is|are|does|do|can|will|not|you|thing)\b)|great question|here(?:'s| is| are)\b|i(?:'d| would) be (?:happy|glad|delighted) to|i'm (?:happy|glad) to|i(?:'m| am) sorry,? but i\b|i apologi[sz]e\b|you're welcome|thank you for (?:your question|asking|reaching out)|yes,? i can\b|hello!? how can i\b)/i;
const OFFERS = /\blet me know if you\b|\bfeel free to (?:ask|reach out|let me know)\b|\bi hope (?:this|that) helps\b|\bis there anything else (?:i|you)\b|\bhow (?:can|may) i (?:help|assist) you\b|\bhappy to help\b/i;
const LIST_ITEM = /^\s*(?:\d+[.)]|[-*•])\s+\S/gm;
const HEADER = /^\s*#{1,6}\s+\S/m;

/**
 * Classify one text as an assistant-style reply (leak) or not.
 * @param text a generated (or real) turn; empty text is not a leak.
 * @returns `{leak, cue}`: the first rule of the module docs that matched.
 */
export function detectRoleLeak(text: string): RoleLeakDecision {
  const t = text.trim();
  if (t === "") return { leak: false };
  if (ROLE_MARKER.test(t)) return { leak: true, cue: "role-marker" };
  if (AI_SELF.test(t)) return { leak: true, cue: "ai-self" };
  if (OPENER.test(t)) return { leak: true, cue: "compliance-opener" };
  if (OFFERS.test(t)) return { leak: true, cue: "offers-help" };
  const words = t.split(/\s+/).length;
  if (words >= 120 && !t.includes("?")) {
    const items = t.match(LIST_ITEM)?.length ?? 0;
    if (items >= 3 || HEADER.test(t)) return { leak: true, cue: "structured-answer" };
  }
  return { leak: false };
}
