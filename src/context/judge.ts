/**
 * The LLM check of `context detect --judge` (paper section 3.3: "pronoun recognition + GPT-4 judgment"): the judge
 * confirms or rejects the heuristic decision of one query; a reply without a parseable verdict is asked again, up
 * to JUDGE_ATTEMPTS times, and then the heuristic decision stands.
 */
import { isContextLengthError } from "../llm/errors.js";
import type { LanguageModel } from "../llm/types.js";
import { CONTEXT_JUDGE_SYSTEM, JUDGE_PROMPT_VERSION, parseJudgeVerdict, renderContextJudgePrompt } from "./prompts.js";
import { type QueryAt, heuristicDecision } from "./queries.js";
import { type ContextLabel } from "../records/context-label.js";

/** Asks of the judge per query before its decision is left to the heuristic. */
export const JUDGE_ATTEMPTS = 3;

/**
 * Largest share of judged rows without a parseable verdict (`judge.context_dependent: null`) that a run accepts:
 * above it (a judge that ignores the VERDICT format, a wrong endpoint) `context detect --judge` warns and exits 3.
 */
export const MAX_UNPARSED_SHARE = 0.05;

/**
 * Judge one query: its row, `context_dependent` being the judge's verdict, or the heuristic decision when the judge
 * gave none (`verdict` undefined; `judge.context_dependent: null`, rationale "context-length" when the prompt is
 * over the judge's context).
 * @throws what the judge throws other than a context-length error
 */
export async function judgeQuery(judge: LanguageModel, q: QueryAt): Promise<{ row: ContextLabel; verdict: boolean | undefined }> {
  const heuristic = heuristicDecision(q);
  const prompt = renderContextJudgePrompt(q.session.messages.slice(0, q.index), q.session.messages[q.index].content, heuristic);
  let verdict: boolean | undefined;
  let rationale = "";
  for (let a = 0; a < JUDGE_ATTEMPTS && verdict === undefined; a++) {
    let c: { text: string };
    try {
      c = await judge.chat([{ role: "system", content: CONTEXT_JUDGE_SYSTEM }, { role: "user", content: prompt }], { temperature: 0, maxTokens: 256, tag: { stage: a === 0 ? "context-judge" : "context-judge-retry", turn: q.turn } });
    } catch (err) {
      // Over the judge's context: no verdict (the heuristic decision stands), marked in the rationale.
      if (!isContextLengthError(err)) throw err;
      rationale = "context-length";
      break;
    }
    rationale = c.text.trim();
    verdict = parseJudgeVerdict(c.text);
  }
  const row: ContextLabel = {
    id: q.session.id,
    turn: q.turn,
    context_dependent: verdict ?? heuristic.context_dependent,
    score: heuristic.score,
    cues: heuristic.cues,
    heuristic,
    judge: { context_dependent: verdict ?? null, model: judge.id, prompt_version: JUDGE_PROMPT_VERSION, rationale },
  };
  return { row, verdict };
}
