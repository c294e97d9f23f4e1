/**
 * `parrot bench answer`: every turn of every question answered with the full history (FastChat
 * gen_model_answer.py's rows), one question per item of the shared run loop (src/run/executor.ts); resumable.
 */
import { parseModelSpec } from "../llm/spec.js";
import { printEstimate, readDoneKeys } from "../run/estimate.js";
import { execute, planTasks, refuseOtherRows } from "../run/executor.js";
import { digestValues } from "../run/manifest.js";
import type { ModelRunOptions } from "../run/flags.js";
import { openResumable } from "../run/output.js";
import { readPrices } from "../run/prices.js";
import { parseShard } from "../run/shard.js";
import { answerQuestion, estimateAnswers } from "./answer.js";
import { loadBenchQuestions, parseBench } from "./data.js";
import { answerKey, type Answer } from "../records/answer.js";
import { questionKey, type Question } from "../records/question.js";
import { judgeNameFromSpec } from "./judge.js";

/** The options of `bench answer` (its commander table: src/bench/command.ts). */
export interface AnswerOptions extends ModelRunOptions {
  bench: string;
  questions: string;
  turns: string;
  model: string;
  modelId?: string;
  out: string;
  maxTokens: number;
  temperature?: number;
}

/** `bench answer`'s task kind: one question (all its turns) per item, keyed by question id (FastChat gen_model_answer.py). */
const answerTask = {
  command: "parrot bench answer",
  unit: "questions",
  key: (q: Question) => questionKey(q),
  shardKey: (q: Question) => String(q.question_id),
  describe: (q: Question) => `question ${q.question_id}`,
};

/**
 * Run `parrot bench answer` (or its `--dry-run` estimate).
 * @throws UserError on bad flags or input, or an output holding another model's answers; IncompleteRunError (exit 3)
 *   when questions failed or the token budget was reached.
 */
export async function runAnswer(o: AnswerOptions): Promise<void> {
  const bench = parseBench(o.bench);
  const shard = parseShard(o.shard);
  const questions = loadBenchQuestions(bench, o.questions, o.turns);
  parseModelSpec(o.model, "model");
  const modelId = o.modelId ?? judgeNameFromSpec(o.model);
  const prices = readPrices(o.prices);
  if (o.dryRun) {
    const { todo, already } = planTasks(answerTask, questions, readDoneKeys(o.out, answerKey), shard);
    await printEstimate(`dry run: ${todo.length} questions to answer (${already} already in ${o.out}); nothing was sent`, [{ spec: o.model, flag: "model" }], prices, (est, [m]) =>
      estimateAnswers(todo, m, o.maxTokens, est),
    );
    return;
  }
  const out = openResumable<Answer>(o.out, answerKey, {
    maxTotalTokens: o.maxTotalTokens,
    inputs: { "--questions": o.questions, "--turns": bench === "mt-bench-pp" ? o.turns : undefined },
    run: {
      command: "bench answer",
      settings: { bench, model: o.model, model_id: modelId, max_tokens: o.maxTokens, temperature: o.temperature ?? null, questions: digestValues(questions) },
    },
  });
  refuseOtherRows(
    out,
    (r) => r.model_id !== modelId,
    (rows) => `${o.out}: holds answers of ${[...new Set(rows.map((r) => r.model_id))].join(", ")}, not ${modelId}; use one output file per model`,
  );
  const plan = planTasks(answerTask, questions, out.done, shard);
  let overContext = 0;
  const result = await execute(
    {
      ...answerTask,
      label: `answer ${modelId}`,
      play: ([m], q) => answerQuestion(m, modelId, q, { maxTokens: o.maxTokens, temperature: o.temperature, onContextLength: () => overContext++ }),
    },
    plan,
    { output: out, models: [{ spec: o.model, flag: "model", role: "assistant" }], concurrency: o.concurrency, requestTimeout: o.requestTimeout, prices },
  );
  process.stderr.write(
    `answered ${result.written} questions (${plan.already} already in ${o.out}${result.failures.count ? `, ${result.failures.count} failed` : ""})` +
      (overContext ? `; ${overContext} with turns over the model's context, answered "$ERROR$"` : "") +
      "\n",
  );
  result.finish();
}
