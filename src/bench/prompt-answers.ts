/**
 * The judged answer read back out of a judgment's `user_prompt` (the rendered judge template), for judgments whose
 * answer files are not at hand: the shared real judgments hold five fine-tuned Llama-2 models whose answers exist only
 * inside the judge prompts. The report (src/report/data.ts) shows such answers marked "from the judge prompt".
 *
 * Templates understood (FastChat `fastchat/llm_judge/data/judge_prompts.jsonl`, as judge.ts renders them, and the
 * paper's Fig. 4 prompt, prompts.ts renderMtBenchPPPrompt):
 * - single-v1 / single-math-v1: `[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]`
 * - single-v1-multi-turn / single-math-v1-multi-turn and Fig. 4: a block
 *   `<|The Start of Assistant A's Conversation with User|> ... ### Assistant A:\n{answer_k} ... <|The End of
 *   Assistant A's Conversation with User|>`; the answer of turn k is the block's k-th `### Assistant A:` part (FastChat's
 *   block holds turns 1-2 and judges turn 2; Fig. 4's block holds every turn of the session whatever k is).
 */
import { FIG4_ASSISTANT_PREFIX, FIG4_CONVERSATION_END, FIG4_CONVERSATION_START, FIG4_USER_PREFIX } from "./prompts.js";

/** FastChat's single-v1 / single-math-v1 answer markers (its templates are read from judge_prompts.jsonl, not kept here). */
const SINGLE_START = "[The Start of Assistant's Answer]";
const SINGLE_END = "[The End of Assistant's Answer]";
/** The end of the conversation block: Fig. 4's line without its final period, which is FastChat's line. */
const CONV_END = FIG4_CONVERSATION_END.replace(/\.$/, "");

/**
 * The answer of the judged turn inside a judge prompt.
 * @param userPrompt the judgment row's `user_prompt` (the rendered judge template).
 * @param turn the row's 1-based `turn`; used for the conversation-block templates.
 * @returns the answer text (trimmed of the template's surrounding blank lines), or undefined when the prompt follows
 *   none of the templates above.
 */
export function answerFromJudgePrompt(userPrompt: string | null | undefined, turn: number): string | undefined {
  if (typeof userPrompt !== "string" || userPrompt === "") return undefined;
  const s = userPrompt.lastIndexOf(SINGLE_START);
  if (s >= 0) {
    const from = s + SINGLE_START.length;
    const e = userPrompt.indexOf(SINGLE_END, from);
    return trimTemplateNewlines(userPrompt.slice(from, e >= 0 ? e : undefined));
  }
  const c = userPrompt.lastIndexOf(FIG4_CONVERSATION_START);
  if (c < 0) return undefined;
  let block = userPrompt.slice(c + FIG4_CONVERSATION_START.length);
  const end = block.lastIndexOf(CONV_END);
  if (end >= 0) block = block.slice(0, end);
  let a = -1;
  for (let k = 0; k < turn; k++) {
    a = block.indexOf(FIG4_ASSISTANT_PREFIX, a + 1);
    if (a < 0) return undefined;
  }
  let answer = block.slice(a + FIG4_ASSISTANT_PREFIX.length);
  // The answer ends where the next user turn of the block starts.
  const u = answer.indexOf(`\n${FIG4_USER_PREFIX}`);
  if (u >= 0) answer = answer.slice(0, u);
  return trimTemplateNewlines(answer);
}

function trimTemplateNewlines(s: string): string {
  return s.replace(/^\r?\n/, "").replace(/\s+$/, "");
}
