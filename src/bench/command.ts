/**
 * `parrot bench questions|answer|judge|show`: MT-Bench with FastChat's formats and grading, and the 8-turn MT-Bench++
 * (paper section 4.1.1, Table 3, appendix A). The options tables only: each action is one call into the stage
 * (run-questions.ts, run-answer.ts, run-judge.ts, run-show.ts), whose model calls run on src/run/executor.ts.
 */
import type { Command } from "commander";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { addModelRunOptions, intOption, numberOption } from "../run/flags.js";
import { RESUMABLE_OUTPUT_HELP } from "../run/output.js";
import { COST_HELP } from "../run/usage.js";
import { ANSWER_MAX_TOKENS } from "./answer.js";
import { DEFAULT_PP_TURNS_FILE } from "./data.js";
import { DEFAULT_SCORE_RETRIES, JUDGE_MAX_TOKENS } from "./judge.js";
import { type AnswerOptions, runAnswer } from "./run-answer.js";
import { type JudgeOptions, runJudge } from "./run-judge.js";
import { type QuestionsOptions, runQuestions } from "./run-questions.js";
import { type ShowOptions, runShow } from "./run-show.js";

/** The benchmark and its question files, the same for `bench answer` and `bench judge`. */
function benchInputs(cmd: Command): Command {
  return cmd
    .requiredOption("--bench <name>", "mt-bench | mt-bench-pp | custom")
    .requiredOption("--questions <file>", "FastChat question file (mt-bench-pp: 2-turn rows are merged with --turns)")
    .option("--turns <file>", "MT-Bench++ authored turns 3-8", DEFAULT_PP_TURNS_FILE);
}

export function register(program: Command): void {
  const bench = program
    .command("bench")
    .description("MT-Bench (FastChat formats and single-answer grading) and the 8-turn MT-Bench++ (paper 4.1.1, appendix A)");

  bench
    .command("questions")
    .description("write the benchmark's questions in FastChat format (mt-bench-pp: MT-Bench turns 1-2 + our turns 3-8)")
    .requiredOption("--bench <name>", "mt-bench | mt-bench-pp | custom")
    .requiredOption("--questions <file>", "FastChat question.jsonl (MT-Bench's for mt-bench-pp)")
    .option("--turns <file>", "MT-Bench++ authored turns 3-8", DEFAULT_PP_TURNS_FILE)
    .requiredOption("--out <file>", "merged questions (JSONL)")
    .action((o: QuestionsOptions) => runQuestions(o));

  addModelRunOptions(
    benchInputs(
      bench
        .command("answer")
        .description("answer every turn of every question, each turn with the full history (FastChat answer rows; resumable)"),
    )
      .option("--model <spec>", "model spec: URL#MODEL, openai:MODEL, gguf:PATH or a registered name", "default")
      .option("--model-id <name>", "model_id written in the rows (default: the spec's model name)")
      .requiredOption("--out <file>", "answers (append-only JSONL, one model per file)")
      .option("--max-tokens <n>", "max new tokens per turn", intOption("max-tokens"), ANSWER_MAX_TOKENS)
      .option("--temperature <t>", "force one temperature (default: FastChat's per category)", numberOption("temperature", 0)),
    {
      concurrency: "questions in flight",
      concurrencyDefault: 4,
      shard: "only the questions of shard I of N",
      dryRun: "estimate requests and tokens (and cost with --prices) of the questions still to answer; call no model, write nothing",
    },
  )
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + "\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((o: AnswerOptions) => runAnswer(o));

  addModelRunOptions(
    benchInputs(
      bench
        .command("judge")
        .description("single-answer (or pairwise) grading with FastChat's prompts, or Fig. 4 for MT-Bench++ (FastChat judgment rows; resumable; -1 re-asked)"),
    )
      .option("--references <file>", "reference answers, FastChat answer format (mt-bench: math/reasoning/coding; mt-bench-pp: all)")
      .option("--judge-prompts <file>", "FastChat judge_prompts.jsonl (mt-bench)")
      .requiredOption("--answers <files...>", "answer files (FastChat format); models are named by their model_id")
      .option("--judge <spec>", "judge model spec: URL#MODEL, openai:MODEL, gguf:PATH or a registered name", "default")
      .option("--judge-name <name>", "judge name written in judge[0] (default: the spec's model name)")
      .requiredOption("--out <file>", "judgments (append-only JSONL)")
      .option("--mode <mode>", "single | pairwise-baseline | pairwise-all (FastChat gen_judgment.py modes; pairwise: mt-bench only)", "single")
      .option("--baseline <model>", "baseline model_id for --mode pairwise-baseline")
      .option("--score-retries <n>", "re-ask a judgment without a rating up to n times", intOption("score-retries", 0), DEFAULT_SCORE_RETRIES)
      .option("--judge-max-tokens <n>", "max tokens of a judgment (FastChat: 2048)", intOption("judge-max-tokens"), JUDGE_MAX_TOKENS),
    {
      concurrency: "judgments in flight",
      concurrencyDefault: 8,
      shard: "only the judgments of shard I of N",
      dryRun: "write the rows with the exact user_prompt, print the estimated requests and tokens (and cost with --prices), and send nothing",
    },
  )
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + " A further --answers file (a new model) extends the run.\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((o: JudgeOptions) => runJudge(o));

  bench
    .command("show")
    .description("per-model scores: overall, turn 1, turn 2, turns 3-5, turns 6-8, categories, bootstrap 95% CI; one table per benchmark, judge model and prompt set (never pooled); exact duplicate rows dropped and counted")
    .requiredOption("--judgments <files...>", "judgment files (FastChat format; rows without score are parsed)")
    .option("--questions <file>", "question file, for per-category means")
    .option("--json", "print {\"groups\": [{bench, judge, prompt, rows, models: {NAME: {...}}}], \"duplicates_dropped\": N}")
    .option("--bootstrap <n>", "bootstrap resamples for the CI", intOption("bootstrap"), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .option("--baseline <model>", "pairwise rows: count only games against this model (show_result.py --baseline-model)")
    .action((o: ShowOptions) => runShow(o));
}
