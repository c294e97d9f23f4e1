/**
 * `parrot bench questions|answer|judge|show`: MT-Bench with FastChat's formats and grading, and the 8-turn MT-Bench++
 * (paper section 4.1.1, Table 3, appendix A). A thin layer: inputs are read and validated in full, the work is
 * planned by the pure functions of this folder, then model calls run through the shared runner (src/run).
 */
import * as path from "node:path";
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { parseModelSpec } from "../llm/spec.js";
import { EXIT_CODES_HELP } from "../run/failures.js";
import { runModelPool } from "../run/pool.js";
import { execute, planTasks } from "../run/executor.js";
import { digestValues, type RunSpec } from "../run/manifest.js";
import { RESUMABLE_OUTPUT_HELP, openResumable } from "../run/output.js";
import { MT_BENCH_PP_PROMPT_NAME } from "./prompts.js";
import { inShard, parseShard, type Shard } from "../run/shard.js";
import { ANSWER_MAX_TOKENS, answerQuestion, estimateAnswers } from "./answer.js";
import { EstimateBuilder, doneKeysIn, estimateNotes, ratesOf, tokenCounterOf, type ModelRates, type TokenCounter } from "../run/estimate.js";
import { readPrices, type PriceTable } from "../run/prices.js";
import { COST_HELP, breakdownLines } from "../run/usage.js";
import { createModel } from "../llm/index.js";
import type { ChatMessage } from "../llm/types.js";
import { answerKey, type Answer } from "../records/answer.js";
import { judgmentKey, judgmentKeyOf, pairJudgmentKey, pairJudgmentKeyOf, type Judgment, type PairJudgment } from "../records/judgment.js";
import { qidKey, type Question } from "../records/question.js";
import {
  type JudgePrompt,
  DEFAULT_PP_TURNS_FILE,
  loadJudgments,
  loadAnswers,
  loadBenchQuestions,
  loadJudgePrompts,
  loadQuestions,
  parseBench,
} from "./data.js";
import {
  DEFAULT_SCORE_RETRIES,
  JUDGE_MAX_TOKENS,
  groupAnswers,
  judgePair,
  judgeWithRetries,
  makePairs,
  type PairTask,
  planJudgments,
  planMtBenchPairwise,
} from "./judge.js";
import { intOption, numberOption, timeoutSecondsOption } from "../run/flags.js";
import { formatPairwiseTable, formatSummaryTable, groupTitle, summarizeJudgmentGroups, summarizePairwise } from "./show.js";

/** The short judge model name recorded in `judge[0]` (FastChat writes e.g. "gpt-4"): from the spec, no model created. */
export function judgeNameFromSpec(spec: string): string {
  const p = parseModelSpec(spec, "judge");
  if (p.kind === "http") return p.model;
  if (p.kind === "gguf") return path.basename(p.path);
  return p.name;
}

function log(line: string): void {
  process.stderr.write(line + "\n");
}

interface AnswerOpts {
  bench: string;
  questions: string;
  turns: string;
  model: string;
  modelId?: string;
  out: string;
  maxTokens: number;
  temperature?: number;
  concurrency: number;
  requestTimeout?: number;
  shard?: string;
  dryRun?: boolean;
  maxTotalTokens?: number;
  prices?: string;
}

/**
 * Load `spec` only for its tokenizer (a local model) and print a dry-run estimate: `fill(builder, model)` adds the
 * calls. No request is sent. Estimator: src/run/estimate.ts.
 */
async function printEstimate(
  title: string,
  spec: string,
  flag: string,
  prices: PriceTable | undefined,
  fill: (builder: EstimateBuilder, model: { id: string; counter: TokenCounter; rates: ModelRates }) => void,
): Promise<void> {
  const model = await createModel(spec, { flag, parallel: 1 });
  try {
    const m = { id: model.id, counter: tokenCounterOf(model), rates: ratesOf(model.id) };
    const est = new EstimateBuilder();
    fill(est, m);
    log(title);
    for (const line of breakdownLines("  estimate", est.result(), prices)) process.stderr.write(line + "\n");
    for (const line of estimateNotes([m])) process.stderr.write(line + "\n");
  } finally {
    await model.close();
  }
}

/** Judge calls of `bench judge` tasks for the estimate: the exact judge prompts, max tokens × the judge fill ratio. */
function estimateJudgeCalls(est: EstimateBuilder, m: { id: string; counter: TokenCounter; rates: ModelRates }, calls: Array<{ messages: ChatMessage[]; turn: number }>, maxTokens: number, stage: string): void {
  for (const c of calls) est.add({ role: "judge", model: m.id, stage, turn: c.turn }, m.counter.chat(c.messages), maxTokens * m.rates.fill.judge);
}

async function runAnswer(o: AnswerOpts): Promise<void> {
  const bench = parseBench(o.bench);
  const shard = parseShard(o.shard);
  const questions = loadBenchQuestions(bench, o.questions, o.turns);
  parseModelSpec(o.model, "model");
  const modelId = o.modelId ?? judgeNameFromSpec(o.model);
  const prices = readPrices(o.prices);
  if (o.dryRun) {
    const done = doneKeysIn(o.out, answerKey);
    const mine = questions.filter((q) => inShard(String(q.question_id), shard));
    const todo = mine.filter((q) => !done.has(qidKey(q.question_id)));
    await printEstimate(`dry run: ${todo.length} questions to answer (${mine.length - todo.length} already in ${o.out}); nothing was sent`, o.model, "model", prices, (est, m) =>
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
  const others = [...new Set(out.existing.map((r) => r.model_id).filter((m) => m !== modelId))];
  if (others.length > 0) {
    out.appender.close();
    throw new UserError(`${o.out}: holds answers of ${others.join(", ")}, not ${modelId}; use one output file per model`);
  }
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
  log(
    `answered ${result.written} questions (${plan.already} already in ${o.out}${result.failures.count ? `, ${result.failures.count} failed` : ""})` +
      (overContext ? `; ${overContext} with turns over the model's context, answered "$ERROR$"` : ""),
  );
  result.finish();
}

/** `bench answer`'s task kind: one question (all its turns) per item, keyed by question id (FastChat gen_model_answer.py). */
const answerTask = {
  command: "parrot bench answer",
  unit: "questions",
  key: (q: Question) => qidKey(q.question_id),
  shardKey: (q: Question) => String(q.question_id),
  describe: (q: Question) => `question ${q.question_id}`,
};

interface JudgeOpts {
  bench: string;
  questions: string;
  turns: string;
  references?: string;
  judgePrompts?: string;
  answers: string[];
  judge: string;
  judgeName?: string;
  out: string;
  dryRun?: boolean;
  concurrency: number;
  requestTimeout?: number;
  shard?: string;
  scoreRetries: number;
  judgeMaxTokens: number;
  mode: string;
  baseline?: string;
  maxTotalTokens?: number;
  prices?: string;
}

async function runJudge(o: JudgeOpts): Promise<void> {
  const bench = parseBench(o.bench);
  const shard = parseShard(o.shard);
  const questions = loadBenchQuestions(bench, o.questions, o.turns);
  const answerFiles = o.answers.map((file) => ({ file, answers: loadAnswers(file) }));
  const answers = groupAnswers(answerFiles);
  const models = [...answers.keys()];
  let references: Map<string, Answer> | undefined;
  if (o.references) {
    references = new Map();
    for (const r of loadAnswers(o.references)) references.set(qidKey(r.question_id), r);
  }
  let prompts: Map<string, JudgePrompt> | undefined;
  if (o.judgePrompts) prompts = loadJudgePrompts(o.judgePrompts);
  const judgeName = o.judgeName ?? judgeNameFromSpec(o.judge);
  readPrices(o.prices);
  const run = judgeRunSpec(o, bench, questions, answers, references, prompts, judgeName);
  if (o.mode !== "single") {
    if (o.mode !== "pairwise-baseline" && o.mode !== "pairwise-all") throw new UserError(`--mode "${o.mode}": expected single, pairwise-baseline or pairwise-all`);
    if (bench !== "mt-bench") throw new UserError(`--mode ${o.mode}: pairwise grading is FastChat's MT-Bench grading; use --bench mt-bench`);
    if (!prompts) throw new UserError("pairwise grading needs --judge-prompts (FastChat's judge_prompts.jsonl)");
    if (o.mode === "pairwise-baseline" && !o.baseline) throw new UserError("--mode pairwise-baseline needs --baseline MODEL");
    const pairs = makePairs(models, o.mode === "pairwise-baseline" ? o.baseline : undefined);
    const pairTasks = planMtBenchPairwise(questions, answers, pairs, references, prompts, o.judgePrompts ?? "--judge-prompts");
    return runPairJudge(o, pairTasks, judgeName, shard, run);
  }
  const tasks = planJudgments(bench, questions, answers, models, references, prompts, o.judgePrompts ?? "--judge-prompts");

  const dry = Boolean(o.dryRun);
  const out = openResumable<Judgment>(o.out, judgmentKeyOf(dry), { inputs: judgeInputs(o), run, maxTotalTokens: o.maxTotalTokens });
  const prices = readPrices(o.prices);
  const mixed = out.existing.filter((r) => Boolean(r.dry_run) !== dry).length;
  if (mixed > 0) {
    out.appender.close();
    throw new UserError(`${o.out}: holds ${mixed} ${dry ? "real judgments" : "--dry-run rows"}; write ${dry ? "the dry run" : "judgments"} to another --out file`);
  }
  const mine = tasks.filter((t) => inShard(`${qidKey(t.question_id)}/${t.model}/${t.turn}`, shard));
  const todo = mine.filter((t) => !out.done.has(judgmentKey(judgeName, t.model, t.question_id, t.turn)));
  const row = (t: (typeof tasks)[number], judgment: string | null, score: number | null) => ({
    question_id: t.question_id,
    model: t.model,
    judge: [judgeName, t.promptName],
    user_prompt: t.userPrompt,
    judgment,
    score,
    turn: t.turn,
    tstamp: Date.now() / 1000,
    ...(dry ? { dry_run: true as const } : {}),
  }) satisfies Judgment;

  if (dry) {
    try {
      for (const t of todo) out.appender.append(row(t, null, null));
    } finally {
      out.appender.close();
    }
    await printEstimate(`dry run: wrote ${todo.length} prompts (${mine.length - todo.length} already in ${o.out}); nothing was sent`, o.judge, "judge", prices, (est, m) =>
      estimateJudgeCalls(est, m, todo, o.judgeMaxTokens, "judge"),
    );
    return;
  }

  let failed = 0;
  let retried = 0;
  const { written, failures } = await runModelPool({
    spec: o.judge,
    flag: "judge",
    command: "parrot bench judge",
    label: `judge ${judgeName}`,
    unit: "judgments",
    total: mine.length,
    todo,
    concurrency: o.concurrency,
    requestTimeout: o.requestTimeout,
    appender: out.appender,
    describe: (t) => `judgment of ${t.model} on question ${t.question_id} turn ${t.turn}`,
    usage: out.usage,
    role: "judge",
    prices,
    work: async (j, t) => {
      const res = await judgeWithRetries(j, t, o.scoreRetries, undefined, o.judgeMaxTokens);
      if (res.attempts > 1) retried++;
      if (res.score === -1) failed++;
      out.appender.append(row(t, res.judgment, res.score));
    },
  });
  log(
    `judged ${written} (${mine.length - todo.length} already in ${o.out}${failures.count ? `, ${failures.count} failed` : ""}); ` +
      `${retried} re-asked for a missing rating, ${failed} kept with score -1 after ${o.scoreRetries} retries`,
  );
  const incomplete = failures.incomplete(out.usage);
  if (incomplete) throw incomplete;
}

/** The input files of `bench judge`, refused as --out. */
function judgeInputs(o: JudgeOpts): Record<string, string | string[] | undefined> {
  return {
    "--questions": o.questions,
    "--turns": o.bench === "mt-bench-pp" ? o.turns : undefined,
    "--references": o.references,
    "--judge-prompts": o.judgePrompts,
    "--answers": o.answers,
  };
}

/**
 * The run manifest of `bench judge` (src/run/manifest.ts): bench, mode, judge spec and name, prompt version, judge
 * options, digests of questions, references and judge prompts, and of each model's answers ("answers" grows: a new
 * model extends the run, a changed answer file of a model already judged is refused).
 */
function judgeRunSpec(
  o: JudgeOpts,
  bench: string,
  questions: ReadonlyArray<unknown>,
  answers: Map<string, Map<string, Answer>>,
  references: Map<string, Answer> | undefined,
  prompts: Map<string, JudgePrompt> | undefined,
  judgeName: string,
): RunSpec {
  const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    command: "bench judge",
    growing: ["answers"],
    settings: {
      bench,
      mode: o.mode,
      baseline: o.baseline ?? null,
      judge: o.judge,
      judge_name: judgeName,
      prompt_version: bench === "mt-bench" ? "fastchat-judge-prompts" : MT_BENCH_PP_PROMPT_NAME,
      score_retries: o.scoreRetries,
      judge_max_tokens: o.judgeMaxTokens,
      questions: digestValues(questions),
      references: references ? digestValues(sorted(references)) : null,
      judge_prompts: prompts ? digestValues(sorted(prompts)) : null,
      answers: Object.fromEntries([...answers].map(([model, m]) => [model, digestValues(sorted(m))])),
    },
  };
}

async function runPairJudge(o: JudgeOpts, tasks: PairTask[], judgeName: string, shard: Shard | undefined, run: RunSpec): Promise<void> {
  const dry = Boolean(o.dryRun);
  const out = openResumable<PairJudgment>(o.out, pairJudgmentKeyOf(dry), { inputs: judgeInputs(o), run, maxTotalTokens: o.maxTotalTokens });
  const prices = readPrices(o.prices);
  const mixed = out.existing.filter((r) => Boolean(r.dry_run) !== dry || r.model_1 === undefined).length;
  if (mixed > 0) out.appender.close();
  if (mixed > 0) throw new UserError(`${o.out}: holds ${mixed} rows of another kind (single grading or ${dry ? "real" : "dry-run"} rows); use another --out file`);
  const mine = tasks.filter((t) => inShard(`${qidKey(t.question_id)}/${t.model_1}/${t.model_2}/${t.turn}`, shard));
  const todo = mine.filter((t) => !out.done.has(pairJudgmentKey(judgeName, t.model_1, t.model_2, t.question_id, t.turn)));
  const row = (t: PairTask, r: { g1_winner: string | null; g2_winner: string | null; g1_judgment: string | null; g2_judgment: string | null }) => ({
    question_id: t.question_id,
    model_1: t.model_1,
    model_2: t.model_2,
    g1_winner: r.g1_winner,
    g2_winner: r.g2_winner,
    judge: [judgeName, t.promptName],
    g1_user_prompt: t.g1.userPrompt,
    g1_judgment: r.g1_judgment,
    g2_user_prompt: t.g2.userPrompt,
    g2_judgment: r.g2_judgment,
    turn: t.turn,
    tstamp: Date.now() / 1000,
    ...(dry ? { dry_run: true as const } : {}),
  }) satisfies PairJudgment;
  if (dry) {
    try {
      for (const t of todo) out.appender.append(row(t, { g1_winner: null, g2_winner: null, g1_judgment: null, g2_judgment: null }));
    } finally {
      out.appender.close();
    }
    await printEstimate(`dry run: wrote ${todo.length} pairs (${mine.length - todo.length} already in ${o.out}); nothing was sent`, o.judge, "judge", prices, (est, m) =>
      estimateJudgeCalls(est, m, todo.flatMap((t) => [{ messages: t.g1.messages, turn: t.turn }, { messages: t.g2.messages, turn: t.turn }]), o.judgeMaxTokens, "judge-pair"),
    );
    return;
  }
  let errors = 0;
  const { written, failures } = await runModelPool({
    spec: o.judge,
    flag: "judge",
    command: "parrot bench judge",
    label: `judge ${judgeName} (pairs)`,
    unit: "pairs",
    total: mine.length,
    todo,
    concurrency: o.concurrency,
    requestTimeout: o.requestTimeout,
    appender: out.appender,
    describe: (t) => `pair ${t.model_1} vs ${t.model_2} on question ${t.question_id} turn ${t.turn}`,
    usage: out.usage,
    role: "judge",
    prices,
    work: async (j, t) => {
      const r = await judgePair(j, t, o.scoreRetries, o.judgeMaxTokens);
      if (r.g1_winner === "error" || r.g2_winner === "error") errors++;
      out.appender.append(row(t, r));
    },
  });
  log(`judged ${written} pairs (${mine.length - todo.length} already in ${o.out}${failures.count ? `, ${failures.count} failed` : ""}); ${errors} kept with an "error" verdict`);
  const incomplete = failures.incomplete(out.usage);
  if (incomplete) throw incomplete;
}

interface ShowOpts {
  judgments: string[];
  json?: boolean;
  questions?: string;
  bootstrap: number;
  seed: number;
  baseline?: string;
}

function runShow(o: ShowOpts): void {
  // Per file, so that an error can name the files of two conflicting judgments.
  const single: Array<{ file: string; row: Judgment }> = [];
  const pairRows: PairJudgment[] = [];
  for (const file of o.judgments) {
    const { single: rows, pairwise } = loadJudgments([file]);
    for (const row of rows) single.push({ file, row });
    pairRows.push(...pairwise);
  }
  let categories: Map<number | string, string> | undefined;
  if (o.questions) categories = new Map(loadQuestions(o.questions).map((q) => [q.question_id, q.category]));
  const fileOf = new Map(single.map((x) => [x.row, x.file]));
  const grouped = summarizeJudgmentGroups(single.map((x) => x.row), { categories, resamples: o.bootstrap, seed: o.seed, where: (r) => fileOf.get(r) ?? "" });
  if (grouped.duplicates > 0) {
    process.stderr.write(`parrot bench show: ${grouped.duplicates} exact duplicate judgment rows dropped (the same judgment given twice, e.g. a file named twice)\n`);
  }
  const pairwise = pairRows.length > 0 ? summarizePairwise(pairRows, o.baseline) : undefined;
  if (o.json) {
    const value: Record<string, unknown> = { groups: grouped.groups, duplicates_dropped: grouped.duplicates };
    if (pairwise) value.pairwise = pairwise;
    process.stdout.write(JSON.stringify(value, null, 2) + "\n");
    return;
  }
  const parts: string[] = grouped.groups.map((g) => `${groupTitle(g)}\n${formatSummaryTable(g)}`);
  if (parts.length === 0 && !pairwise) parts.push(formatSummaryTable({ models: {} }));
  if (pairwise) parts.push(formatPairwiseTable(pairwise));
  process.stdout.write(parts.join("\n"));
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
    .action((o: { bench: string; questions: string; turns: string; out: string }) => {
      const qs = loadBenchQuestions(parseBench(o.bench), o.questions, o.turns);
      refuseOutputIsInput(o.out, { "--questions": o.questions, "--turns": o.bench === "mt-bench-pp" ? o.turns : undefined });
      writeFileAtomic(o.out, qs.map((q) => JSON.stringify(q)).join("\n") + "\n");
      log(`wrote ${qs.length} questions (${[...new Set(qs.map((q) => q.turns.length))].join("/")} turns) to ${o.out}`);
    });

  bench
    .command("answer")
    .description("answer every turn of every question, each turn with the full history (FastChat answer rows; resumable)")
    .requiredOption("--bench <name>", "mt-bench | mt-bench-pp | custom")
    .requiredOption("--questions <file>", "FastChat question file (mt-bench-pp: 2-turn rows are merged with --turns)")
    .option("--turns <file>", "MT-Bench++ authored turns 3-8", DEFAULT_PP_TURNS_FILE)
    .option("--model <spec>", "model spec: URL#MODEL, openai:MODEL, gguf:PATH or a registered name", "default")
    .option("--model-id <name>", "model_id written in the rows (default: the spec's model name)")
    .requiredOption("--out <file>", "answers (append-only JSONL, one model per file)")
    .option("--max-tokens <n>", "max new tokens per turn", intOption("max-tokens"), ANSWER_MAX_TOKENS)
    .option("--temperature <t>", "force one temperature (default: FastChat's per category)", numberOption("temperature", 0))
    .option("--concurrency <n>", "questions in flight", intOption("concurrency"), 4)
    .option("--request-timeout <sec>", "per-request timeout, seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <I/N>", "only the questions of shard I of N")
    .option("--dry-run", "estimate requests and tokens (and cost with --prices) of the questions still to answer; call no model, write nothing")
    .option("--max-total-tokens <n>", "stop starting calls once this run has used N tokens; exit 3, rerun to continue", intOption("max-total-tokens"))
    .option("--prices <file>", "price table (JSON, per million tokens) for the cost lines")
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + "\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((o: AnswerOpts) => runAnswer(o));

  bench
    .command("judge")
    .description("single-answer (or pairwise) grading with FastChat's prompts, or Fig. 4 for MT-Bench++ (FastChat judgment rows; resumable; -1 re-asked)")
    .requiredOption("--bench <name>", "mt-bench | mt-bench-pp | custom")
    .requiredOption("--questions <file>", "FastChat question file (mt-bench-pp: 2-turn rows are merged with --turns)")
    .option("--turns <file>", "MT-Bench++ authored turns 3-8", DEFAULT_PP_TURNS_FILE)
    .option("--references <file>", "reference answers, FastChat answer format (mt-bench: math/reasoning/coding; mt-bench-pp: all)")
    .option("--judge-prompts <file>", "FastChat judge_prompts.jsonl (mt-bench)")
    .requiredOption("--answers <files...>", "answer files (FastChat format); models are named by their model_id")
    .option("--judge <spec>", "judge model spec: URL#MODEL, openai:MODEL, gguf:PATH or a registered name", "default")
    .option("--judge-name <name>", "judge name written in judge[0] (default: the spec's model name)")
    .requiredOption("--out <file>", "judgments (append-only JSONL)")
    .option("--mode <mode>", "single | pairwise-baseline | pairwise-all (FastChat gen_judgment.py modes; pairwise: mt-bench only)", "single")
    .option("--baseline <model>", "baseline model_id for --mode pairwise-baseline")
    .option("--dry-run", "write the rows with the exact user_prompt, print the estimated requests and tokens (and cost with --prices), and send nothing")
    .option("--max-total-tokens <n>", "stop starting calls once this run has used N tokens; exit 3, rerun to continue", intOption("max-total-tokens"))
    .option("--prices <file>", "price table (JSON, per million tokens) for the cost lines")
    .option("--score-retries <n>", "re-ask a judgment without a rating up to n times", intOption("score-retries", 0), DEFAULT_SCORE_RETRIES)
    .option("--judge-max-tokens <n>", "max tokens of a judgment (FastChat: 2048)", intOption("judge-max-tokens"), JUDGE_MAX_TOKENS)
    .option("--concurrency <n>", "judgments in flight", intOption("concurrency"), 8)
    .option("--request-timeout <sec>", "per-request timeout, seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <I/N>", "only the judgments of shard I of N")
    .addHelpText("after", "\n" + RESUMABLE_OUTPUT_HELP + " A further --answers file (a new model) extends the run.\n" + COST_HELP + "\n" + EXIT_CODES_HELP)
    .action((o: JudgeOpts) => runJudge(o));

  bench
    .command("show")
    .description("per-model scores: overall, turn 1, turn 2, turns 3-5, turns 6-8, categories, bootstrap 95% CI; one table per benchmark, judge model and prompt set (never pooled); exact duplicate rows dropped and counted")
    .requiredOption("--judgments <files...>", "judgment files (FastChat format; rows without score are parsed)")
    .option("--questions <file>", "question file, for per-category means")
    .option("--json", "print {\"groups\": [{bench, judge, prompt, rows, models: {NAME: {...}}}], \"duplicates_dropped\": N}")
    .option("--bootstrap <n>", "bootstrap resamples for the CI", intOption("bootstrap"), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("seed", 0), 0)
    .option("--baseline <model>", "pairwise rows: count only games against this model (show_result.py --baseline-model)")
    .action((o: ShowOpts) => runShow(o));
}
