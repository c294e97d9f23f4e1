/**
 * Multi-turn answering in FastChat's way (lm-sys/FastChat `fastchat/llm_judge/gen_api_answer.py` get_answer):
 * each turn is sent with the whole conversation so far, i.e. the earlier questions and the model's own earlier
 * answers; the temperature comes from the question's category (common.py temperature_config); max tokens 1024.
 * Output rows are FastChat answer rows (src/records/answer.ts): `{question_id, answer_id, model_id, choices: [{index: 0, turns}], tstamp}`.
 */
import { randomInt } from "node:crypto";
import { isContextLengthError } from "../llm/errors.js";
import type { ChatMessage, LanguageModel } from "../llm/types.js";
import { temperatureFor } from "./data.js";
import type { Answer } from "../records/answer.js";
import type { Question } from "../records/question.js";
import type { EstimateBuilder, ModelRates, TokenCounter } from "../run/estimate.js";

/** FastChat's answer for a turn whose request failed (common.py API_ERROR_OUTPUT). */
export const API_ERROR_OUTPUT = "$ERROR$";

/** gen_api_answer.py / gen_model_answer.py `--max-new-token` default. */
export const ANSWER_MAX_TOKENS = 1024;

const SHORTUUID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A random 22-character id over shortuuid's 57-letter alphabet, like FastChat's `shortuuid.uuid()` answer ids. */
export function shortUuid(): string {
  let s = "";
  for (let i = 0; i < 22; i++) s += SHORTUUID_ALPHABET[randomInt(SHORTUUID_ALPHABET.length)];
  return s;
}

export interface AnswerOptions {
  /** Max new tokens per turn. Default 1024. */
  maxTokens?: number;
  /** Force one temperature for every question (gen_api_answer.py --force-temperature). */
  temperature?: number;
  timeoutMs?: number;
  /** Called once for a question whose later turns were over the model's context (answered `$ERROR$`). */
  onContextLength?: () => void;
}

/**
 * Answer every turn of one question with the model, turn by turn, each request carrying the full history
 * `[user q1, assistant a1, ..., user qk]`.
 * @returns the FastChat answer row. A turn whose history no longer fits the model's context (ModelCallError
 *   `context-length`) and every later turn are answered `$ERROR$`, FastChat's API_ERROR_OUTPUT, so the question is
 *   marked and the run goes on; `contextLength` counts such questions.
 * @throws whatever else the model throws (after its own retries); nothing is returned for a partly answered question.
 */
export async function answerQuestion(model: LanguageModel, modelId: string, q: Question, options: AnswerOptions = {}): Promise<Answer> {
  const temperature = options.temperature ?? temperatureFor(q);
  const maxTokens = options.maxTokens ?? ANSWER_MAX_TOKENS;
  const messages: ChatMessage[] = [];
  const turns: string[] = [];
  let overflow = false;
  for (const [k, query] of q.turns.entries()) {
    if (overflow) {
      turns.push(API_ERROR_OUTPUT);
      continue;
    }
    messages.push({ role: "user", content: query });
    try {
      const c = await model.chat(messages.slice(), { temperature, maxTokens, timeoutMs: options.timeoutMs, tag: { stage: "answer", turn: k + 1 } });
      messages.push({ role: "assistant", content: c.text });
      turns.push(c.text);
    } catch (err) {
      if (!isContextLengthError(err)) throw err;
      overflow = true;
      turns.push(API_ERROR_OUTPUT);
    }
  }
  if (overflow) options.onContextLength?.();
  return { question_id: q.question_id, answer_id: shortUuid(), model_id: modelId, choices: [{ index: 0, turns }], tstamp: Date.now() / 1000 } satisfies Answer;
}

/**
 * `bench answer --dry-run`: the calls `answerQuestion` makes for `questions`, into `into` (estimator:
 * src/run/estimate.ts): turn k sends the k queries and k-1 answers (answers empty, their expected tokens added) and
 * generates max tokens × the model's fill ratio.
 */
export function estimateAnswers(
  questions: ReadonlyArray<Question>,
  model: { id: string; counter: TokenCounter; rates: ModelRates },
  maxTokens: number,
  into: EstimateBuilder,
): void {
  const a = maxTokens * model.rates.fill.assistant;
  for (const q of questions) {
    const messages: ChatMessage[] = [];
    for (const [k, query] of q.turns.entries()) {
      messages.push({ role: "user", content: query });
      into.add({ role: "assistant", model: model.id, stage: "answer", turn: k + 1 }, model.counter.chat(messages) + k * a, a);
      messages.push({ role: "assistant", content: "" });
    }
  }
}
