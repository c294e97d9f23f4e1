/**
 * The MT-Bench++ judge prompt of the paper, verbatim, and its rendering for turn k. This file is the single source of
 * that text. (MT-Bench's own judge prompts are never kept here: they are read from FastChat's judge_prompts.jsonl.)
 *
 * Source: Sun et al., "Parrot: Enhancing Multi-Turn Instruction Following for Large Language Models", appendix A,
 * Figure 4 ("MT-Bench++ evaluation prompts for GPT-4").
 *
 * Reading of the figure, where it leaves room:
 * - The figure is written for the second turn; for turn k the two occurrences of "second" become the ordinal of k
 *   ("first" ... "eighth"), `{question 2}` the k-th question and `{reference answer 2}` the k-th reference answer.
 * - The conversation block lists every turn of the session ("{question 1} ... {question 8}"), whatever k is.
 *   Its lines are `### User:{question i}` and `### Assistant A:{answer i}`, exactly as printed (no space or newline
 *   after the colon), one per line. Paragraphs of the figure are separated by one blank line.
 * - The figure's typesetting (the box around the conversation, the line break after `{question 2},`) is not text.
 * - The figure asks for "[rating]", e.g. "Rating: [5]"; parseScore (FastChat's parser) takes `[[n]]`, else `[n]`.
 * - No system prompt is shown in the figure, so the whole prompt is sent as one user message.
 */

/** Version tag recorded as the prompt name in judgment rows (`judge: [judge_model, MT_BENCH_PP_PROMPT_NAME]`). */
export const MT_BENCH_PP_PROMPT_NAME = "mt-bench-pp-fig4";

/** Figure 4, first paragraph, verbatim (written for the second turn). */
export const FIG4_INSTRUCTION =
  "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. Your evaluation should focus on the assistant's answer to the second user question. You will be given a high-quality reference answer, and when you give your evaluation, please refer to that high-quality answer and then give your final score. Begin your evaluation by providing a short explanation. Be as objective as possible. After providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this format: \"[rating]\", for example: \"Rating: [5]\".";

/** Figure 4, the lines around the conversation, verbatim. */
export const FIG4_CONVERSATION_START = "<|The Start of Assistant A's Conversation with User|>";
export const FIG4_CONVERSATION_END = "<|The End of Assistant A's Conversation with User|>.";
export const FIG4_USER_PREFIX = "### User:";
export const FIG4_ASSISTANT_PREFIX = "### Assistant A:";
/** Figure 4, the closing lines, verbatim (written for the second turn). */
export const FIG4_JUDGE_LINE = "Now, please judge the response to the second user question: {question},";
export const FIG4_REFERENCE_LINE = "The high-quality reference answer to this question is: {reference}.";
export const FIG4_FINAL_LINE = "Your judgment:";

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

/**
 * English ordinal word for a 1-based turn ("first" ... "tenth"), else "11th", "12th", "13th", "21st", ...
 * @throws RangeError for k < 1 or non-integers.
 */
export function ordinal(k: number): string {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`turn must be a positive integer, got ${k}`);
  if (k <= ORDINALS.length) return ORDINALS[k - 1];
  const mod100 = k % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? "th" : ["th", "st", "nd", "rd"][k % 10] ?? "th";
  return `${k}${suffix}`;
}

/**
 * Render the Figure 4 prompt for turn k of a session.
 * @param questions the session's queries (length T >= k).
 * @param answers the assistant's answers, one per query (length T).
 * @param k 1-based turn being judged.
 * @param reference the reference answer to the k-th query.
 * @returns the user prompt: instruction, blank line, conversation block over all T turns, blank line, closing lines.
 * @throws RangeError when k is outside 1..T or the answers do not match the questions in length.
 */
export function renderMtBenchPPPrompt(questions: ReadonlyArray<string>, answers: ReadonlyArray<string>, k: number, reference: string): string {
  if (answers.length !== questions.length) throw new RangeError(`${questions.length} questions but ${answers.length} answers`);
  if (!Number.isInteger(k) || k < 1 || k > questions.length) throw new RangeError(`turn ${k} outside 1..${questions.length}`);
  const nth = ordinal(k);
  // Placeholders are replaced by function so `$` sequences in the texts are never interpreted.
  const instruction = FIG4_INSTRUCTION.replace("to the second user question", () => `to the ${nth} user question`);
  const conversation = questions.map((q, i) => `${FIG4_USER_PREFIX}${q}\n${FIG4_ASSISTANT_PREFIX}${answers[i]}`).join("\n");
  const judgeLine = FIG4_JUDGE_LINE.replace("the second user question", () => `the ${nth} user question`).replace("{question}", () => questions[k - 1]);
  const referenceLine = FIG4_REFERENCE_LINE.replace("{reference}", () => reference);
  return `${instruction}\n\n${FIG4_CONVERSATION_START}\n\n${conversation}\n\n${FIG4_CONVERSATION_END}\n\n${judgeLine}\n${referenceLine}\n${FIG4_FINAL_LINE}`;
}
