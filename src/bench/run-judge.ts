/**
 * `parrot bench judge`: single-answer grading (FastChat's prompts for MT-Bench, Figure 4 for MT-Bench++) or
 * FastChat's pairwise grading, on the shared run loop (src/run/executor.ts). The two gradings are two `Grading`s
 * (FastChat gen_judgment.py: make_match_single / make_match_pair with play_a_match_single / play_a_match_pair);
 * `grade` runs either: open the resumable output, refuse rows of another kind, plan, then the dry run (rows with the
 * exact prompts, an estimate, nothing sent) or the judge calls, and the summary line.
 */
import { UserError } from "../io/errors.js";
import type { ChatMessage } from "../llm/types.js";
import { printEstimate } from "../run/estimate.js";
import { type Task, execute, planTasks, refuseOtherRows } from "../run/executor.js";
import { digestValues, type RunSpec } from "../run/manifest.js";
import type { ModelRunOptions } from "../run/flags.js";
import { openResumable } from "../run/output.js";
import { type PriceTable, readPrices } from "../run/prices.js";
import { type Shard, parseShard } from "../run/shard.js";
import { type JudgePrompt, loadAnswers, loadBenchQuestions, loadJudgePrompts, parseBench } from "./data.js";
import type { Answer } from "../records/answer.js";
import { judgmentKey, judgmentKeyOf, pairJudgmentKey, pairJudgmentKeyOf, type Judgment, type PairJudgment } from "../records/judgment.js";
import { qidKey } from "../records/question.js";
import {
  type JudgeTask,
  type PairTask,
  groupAnswers,
  judgeNameFromSpec,
  judgePair,
  judgeWithRetries,
  makePairs,
  planJudgments,
  planMtBenchPairwise,
} from "./judge.js";
import { MT_BENCH_PP_PROMPT_NAME } from "./prompts.js";

/** The options of `bench judge` (its commander table: src/bench/command.ts). */
export interface JudgeOptions extends ModelRunOptions {
  bench: string;
  questions: string;
  turns: string;
  references?: string;
  judgePrompts?: string;
  answers: string[];
  judge: string;
  judgeName?: string;
  out: string;
  scoreRetries: number;
  judgeMaxTokens: number;
  mode: string;
  baseline?: string;
}

/**
 * Run `parrot bench judge` (`--mode single`, `pairwise-baseline` or `pairwise-all`; or its `--dry-run`).
 * @throws UserError on bad flags or input, or an output holding rows of another kind; IncompleteRunError (exit 3)
 *   when judgments failed or the token budget was reached.
 */
export async function runJudge(o: JudgeOptions): Promise<void> {
  const bench = parseBench(o.bench);
  const shard = parseShard(o.shard);
  const questions = loadBenchQuestions(bench, o.questions, o.turns);
  const answers = groupAnswers(o.answers.map((file) => ({ file, answers: loadAnswers(file) })));
  const models = [...answers.keys()];
  let references: Map<string, Answer> | undefined;
  if (o.references) {
    references = new Map();
    for (const r of loadAnswers(o.references)) references.set(qidKey(r.question_id), r);
  }
  let prompts: Map<string, JudgePrompt> | undefined;
  if (o.judgePrompts) prompts = loadJudgePrompts(o.judgePrompts);
  const judgeName = o.judgeName ?? judgeNameFromSpec(o.judge);
  const prices = readPrices(o.prices);
  const run = judgeRunSpec(o, bench, questions, answers, references, prompts, judgeName);
  const dry = Boolean(o.dryRun);
  if (o.mode !== "single") {
    if (o.mode !== "pairwise-baseline" && o.mode !== "pairwise-all") throw new UserError(`--mode "${o.mode}": expected single, pairwise-baseline or pairwise-all`);
    if (bench !== "mt-bench") throw new UserError(`--mode ${o.mode}: pairwise grading is FastChat's MT-Bench grading; use --bench mt-bench`);
    if (!prompts) throw new UserError("pairwise grading needs --judge-prompts (FastChat's judge_prompts.jsonl)");
    if (o.mode === "pairwise-baseline" && !o.baseline) throw new UserError("--mode pairwise-baseline needs --baseline MODEL");
    const pairs = makePairs(models, o.mode === "pairwise-baseline" ? o.baseline : undefined);
    const tasks = planMtBenchPairwise(questions, answers, pairs, references, prompts, o.judgePrompts ?? "--judge-prompts");
    return grade(o, pairGrading(o, judgeName, dry), tasks, shard, run, prices);
  }
  const tasks = planJudgments(bench, questions, answers, models, references, prompts, o.judgePrompts ?? "--judge-prompts");
  return grade(o, singleGrading(o, judgeName, dry), tasks, shard, run, prices);
}

/** What single and pairwise grading supply to `grade`: the task kind (src/run/executor.ts) and their rows. */
interface Grading<T, Row> extends Task<T, Row> {
  /** The output's resume key of a row; undefined for a row this run does not extend (dry-run rows in a real run). */
  rowKey(row: Row): string | undefined;
  /** Rows of another kind, refused in the output; `otherRows` says what they are. */
  isOther(row: Row): boolean;
  otherRows(count: number): string;
  /** The row of a task before judging (`--dry-run`: the exact prompts, no judgment), and the unit of those rows. */
  dryRow(task: T): Row;
  dryUnit: string;
  /** The judge calls of a task, and their stage, for the dry-run estimate. */
  calls(task: T): Array<{ messages: ChatMessage[]; turn: number }>;
  stage: string;
  /** The summary line once the calls ran: judged `written`, `already` in the output, `failed` skipped. */
  summary(written: number, already: number, failed: number): string;
}

/**
 * Grade `tasks` (this shard's, those not yet in `--out`): with `--dry-run`, write their rows without judgment and
 * print the estimate; else judge them on the shared run loop and print the summary, model and token lines.
 */
async function grade<T, Row>(o: JudgeOptions, g: Grading<T, Row>, tasks: T[], shard: Shard | undefined, run: RunSpec, prices: PriceTable | undefined): Promise<void> {
  const out = openResumable<Row>(o.out, (r) => g.rowKey(r), { inputs: judgeInputs(o), run, maxTotalTokens: o.maxTotalTokens });
  refuseOtherRows(out, (r) => g.isOther(r), (rows) => g.otherRows(rows.length));
  const plan = planTasks(g, tasks, out.done, shard);
  if (o.dryRun) {
    try {
      for (const t of plan.todo) out.appender.append(g.dryRow(t));
    } finally {
      out.appender.close();
    }
    await printEstimate(`dry run: wrote ${plan.todo.length} ${g.dryUnit} (${plan.already} already in ${o.out}); nothing was sent`, [{ spec: o.judge, flag: "judge" }], prices, (est, [m]) => {
      // The exact judge prompts; max tokens × the judge fill ratio.
      for (const c of plan.todo.flatMap((t) => g.calls(t))) est.add({ role: "judge", model: m.id, stage: g.stage, turn: c.turn }, m.counter.chat(c.messages), o.judgeMaxTokens * m.rates.fill.judge);
    });
    return;
  }
  const result = await execute(g, plan, {
    output: out,
    models: [{ spec: o.judge, flag: "judge", role: "judge" }],
    concurrency: o.concurrency,
    requestTimeout: o.requestTimeout,
    prices,
  });
  process.stderr.write(g.summary(result.written, plan.already, result.failures.count) + "\n");
  result.finish();
}

/** Single-answer grading (FastChat play_a_match_single): one judgment per model, question and turn; -1 re-asked. */
function singleGrading(o: JudgeOptions, judgeName: string, dry: boolean): Grading<JudgeTask, Judgment> {
  let failed = 0;
  let retried = 0;
  const row = (t: JudgeTask, judgment: string | null, score: number | null): Judgment => ({
    question_id: t.question_id,
    model: t.model,
    judge: [judgeName, t.promptName],
    user_prompt: t.userPrompt,
    judgment,
    score,
    turn: t.turn,
    tstamp: Date.now() / 1000,
    ...(dry ? { dry_run: true as const } : {}),
  });
  return {
    command: "parrot bench judge",
    label: `judge ${judgeName}`,
    unit: "judgments",
    key: (t) => judgmentKey(judgeName, t.model, t.question_id, t.turn),
    shardKey: (t) => `${qidKey(t.question_id)}/${t.model}/${t.turn}`,
    describe: (t) => `judgment of ${t.model} on question ${t.question_id} turn ${t.turn}`,
    play: async ([j], t) => {
      const res = await judgeWithRetries(j, t, { scoreRetries: o.scoreRetries, maxTokens: o.judgeMaxTokens });
      if (res.attempts > 1) retried++;
      if (res.score === -1) failed++;
      return row(t, res.judgment, res.score);
    },
    rowKey: judgmentKeyOf(dry),
    isOther: (r) => Boolean(r.dry_run) !== dry,
    otherRows: (n) => `${o.out}: holds ${n} ${dry ? "real judgments" : "--dry-run rows"}; write ${dry ? "the dry run" : "judgments"} to another --out file`,
    dryRow: (t) => row(t, null, null),
    dryUnit: "prompts",
    calls: (t) => [t],
    stage: "judge",
    summary: (written, already, skipped) =>
      `judged ${written} (${already} already in ${o.out}${skipped ? `, ${skipped} failed` : ""}); ` +
      `${retried} re-asked for a missing rating, ${failed} kept with score -1 after ${o.scoreRetries} retries`,
  };
}

/** Pairwise grading (FastChat play_a_match_pair): both games of each pair of models, question and turn. */
function pairGrading(o: JudgeOptions, judgeName: string, dry: boolean): Grading<PairTask, PairJudgment> {
  let errors = 0;
  const row = (t: PairTask, r: { g1_winner: string | null; g2_winner: string | null; g1_judgment: string | null; g2_judgment: string | null }): PairJudgment => ({
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
  });
  return {
    command: "parrot bench judge",
    label: `judge ${judgeName} (pairs)`,
    unit: "pairs",
    key: (t) => pairJudgmentKey(judgeName, t.model_1, t.model_2, t.question_id, t.turn),
    shardKey: (t) => `${qidKey(t.question_id)}/${t.model_1}/${t.model_2}/${t.turn}`,
    describe: (t) => `pair ${t.model_1} vs ${t.model_2} on question ${t.question_id} turn ${t.turn}`,
    play: async ([j], t) => {
      const r = await judgePair(j, t, { scoreRetries: o.scoreRetries, maxTokens: o.judgeMaxTokens });
      if (r.g1_winner === "error" || r.g2_winner === "error") errors++;
      return row(t, r);
    },
    rowKey: pairJudgmentKeyOf(dry),
    isOther: (r) => Boolean(r.dry_run) !== dry || r.model_1 === undefined,
    otherRows: (n) => `${o.out}: holds ${n} rows of another kind (single grading or ${dry ? "real" : "dry-run"} rows); use another --out file`,
    dryRow: (t) => row(t, { g1_winner: null, g2_winner: null, g1_judgment: null, g2_judgment: null }),
    dryUnit: "pairs",
    calls: (t) => [
      { messages: t.g1.messages, turn: t.turn },
      { messages: t.g2.messages, turn: t.turn },
    ],
    stage: "judge-pair",
    summary: (written, already, skipped) => `judged ${written} pairs (${already} already in ${o.out}${skipped ? `, ${skipped} failed` : ""}); ${errors} kept with an "error" verdict`,
  };
}

/** The input files of `bench judge`, refused as --out. */
function judgeInputs(o: JudgeOptions): Record<string, string | string[] | undefined> {
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
  o: JudgeOptions,
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
