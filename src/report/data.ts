/**
 * The report's data: everything the page shows, computed in Node from validated inputs and embedded in the page as
 * one JSON object (the page does no statistics of its own). Pure functions: no file access here (see inputs.ts).
 *
 * Sources: benchmark aggregation is src/bench/show.ts summarizeJudgmentGroups (FastChat show_result.py + paper Table 3
 * turn buckets, TURN_BUCKETS, + a bootstrap interval per bucket); answers not given as files are recovered from the
 * judge prompts by src/bench/prompt-answers.ts; dataset statistics are src/stats/stats.ts datasetStats (paper Table 1); context cues
 * are src/context/detect.ts detectContextDependency (paper section 3.3); the simulator tables are src/simulator/show.ts
 * simulatorTables (the cells `parrot simulator show` prints); token counts and cost are src/run/usage.ts (costOf,
 * fmtMoney: the numbers of the commands' own summary lines).
 */
import type { Answer } from "../records/answer.js";
import type { Judgment } from "../records/judgment.js";
import { qidKey, type Question } from "../records/question.js";
import { UserError } from "../io/errors.js";
import { answerFromJudgePrompt } from "../bench/prompt-answers.js";
import { dropDuplicateJudgments, rowScore, summarizeJudgmentGroups, TURN_BUCKETS, type Bucket, type ModelSummary } from "../bench/show.js";
import { queries, type Session } from "../conversations/session.js";
import type { PreferencePair } from "../records/pair.js";
import { contextTurns, StatsAccumulator, type DatasetStats } from "../stats/stats.js";
import type { Message } from "../conversations/session.js";
import type { NextQueryRow, SimulatorRow } from "../records/simulator.js";
import type { TrainMetricsRow, TrainSummary } from "../records/training.js";
import type { PriceTable } from "../run/prices.js";
import { addBreakdown, costOf, emptyBreakdown, fmtMoney, tokensOf, type Counts, type ManifestUsage } from "../run/usage.js";
import { NEXT_QUERY_COLUMNS, ROLLOUT_COLUMNS, simulatorTables } from "../simulator/show.js";
import * as path from "node:path";

/** Validated inputs, each with the file it came from (file names are shown in the page). */
export interface LoadedInputs {
  judgments: Array<{ file: string; rows: Judgment[] }>;
  answers: Array<{ file: string; rows: Answer[] }>;
  questions: Array<{ file: string; rows: Question[] }>;
  references: Array<{ file: string; rows: Answer[] }>;
  /** Each session file and its sessions: an array, or a one-pass iterator (loadInputs streams them). */
  sessions: Array<{ file: string; sessions: Iterable<Session> }>;
  pairs: Array<{ file: string; pairs: PreferencePair[] }>;
  /** Simulator tables (`--simulators`). */
  simulators?: LoadedSimulators[];
  /** Training folders (`--training`). */
  training?: LoadedTraining[];
  /** Run manifests found beside the inputs (for the Cost view). */
  manifests?: LoadedManifest[];
}

/** A `parrot simulator eval` table with its next-query rows per label and the real histories (inputs.ts loadSimulators). */
export interface LoadedSimulators {
  file: string;
  rows: SimulatorRow[];
  /** label -> rows of `FILE.runs/LABEL.next.jsonl` (labels without a run file are missing). */
  next: Record<string, NextQueryRow[]>;
  /** `HELD_OUT_FILE\u0000DIGEST` -> item key -> real history (only for held-out files that still give the same items). */
  histories: Record<string, Record<string, Message[]>>;
  /** Why something is not shown (a missing run file or held-out file). */
  notes: string[];
  /** The run files read (their manifests hold the tokens). */
  runFiles: string[];
}

/** A `parrot train --out DIR` folder: its logged steps and, once finished, its summary. */
export interface LoadedTraining {
  dir: string;
  metrics: TrainMetricsRow[];
  summary: TrainSummary | null;
}

/** The token counts of an input's run manifest (`FILE.manifest.json`, key `usage`). */
export interface LoadedManifest {
  /** The input's kind (judgments, answers, sessions, pairs, simulator runs). */
  kind: string;
  file: string;
  command: string;
  usage: ManifestUsage;
}

export interface ReportOptions {
  /** Page title. */
  title?: string;
  /** Sessions per session file embedded for browsing (statistics always use all). Default 500. */
  maxSessions?: number;
  /** Preference pairs embedded for browsing (counts always use all). Default 1000. */
  maxPairs?: number;
  /** Bootstrap resamples and seed for the 95% intervals (show.ts defaults: 1000, 0). */
  resamples?: number;
  seed?: number;
  /** ISO time written into the page; default now. */
  generated?: string;
  /** `--prices FILE` (src/run/prices.ts): turns the Cost view's tokens into money. */
  prices?: PriceTable;
}

/** One model's row of the benchmark table: its show.ts summary (means and 95% interval per Table 3 bucket). */
export interface BenchModelRow extends ModelSummary {
  model: string;
}

/** One benchmark table: the rows of one benchmark, judge model and prompt set (show.ts judgmentGroup). */
export interface BenchGroupData {
  bench: string;
  judge: string;
  prompt: string;
  /** Judged models, best overall first. */
  rows: BenchModelRow[];
  /** Best value of each Table 3 column among this table's rows (the page stars it); null where no row has one. */
  best: Record<Bucket, number | null>;
  /** Turn numbers with at least one rated judgment, ascending. */
  turns: number[];
  /** Categories with at least one rated judgment (empty without a questions file). */
  categories: string[];
  /** Judgment rows of this table, and those without a rating (score -1). */
  total: number;
  failed: number;
}

export interface BenchData {
  /** The tables' columns: show.ts TURN_BUCKETS' keys and headings, in order. */
  buckets: Array<{ key: Bucket; label: string }>;
  /** One table per benchmark, judge model and prompt set, sorted by benchmark, judge, prompt. */
  groups: BenchGroupData[];
  /** Judge model / prompt names seen in `judge`. */
  judges: string[];
  /** Judgment rows used (dry-run rows and exact duplicates excluded), and those without a rating (score -1). */
  total: number;
  failed: number;
  /** Rows dropped as exact repeats of an earlier row (show.ts dropDuplicateJudgments). */
  duplicates: number;
  resamples: number;
}

/** A question of the session browser. `turns` empty when no questions file named it. */
export interface QuestionView {
  key: string;
  id: number | string;
  category: string | null;
  turns: string[];
  /** Reference answer per turn (reference answer files, else the question's own `reference`). */
  reference: string[] | null;
  referenceModel: string | null;
}

export interface AnswerView {
  turns: string[];
  /** Where the text came from: an answer file, or recovered from the judge prompt (bench/prompt-answers.ts). */
  source: "answers" | "judge prompt";
}

export interface JudgmentView {
  turn: number;
  /** Rating, -1 when the judgment holds none. */
  score: number;
  judgment: string;
  judge: string;
}

export interface ContextMark {
  /** 0-based index into the session's messages. */
  index: number;
  score: number;
  cues: string[];
}

export interface DatasetView {
  file: string;
  stats: DatasetStats;
  /** user turns per session -> number of sessions. */
  turnsHistogram: Array<[number, number]>;
  /** context-dependent queries among all queries of the embedded sessions. */
  contextQueries: number;
  sessions: Array<{ id: string; messages: Session["messages"]; context: ContextMark[] }>;
  /** Sessions in the file (sessions.length may be fewer: see maxSessions). */
  total: number;
}

export interface PairsView {
  files: string[];
  total: number;
  strategies: Array<[string, number]>;
  items: PreferencePair[];
}

export interface ReportData {
  title: string;
  generated: string;
  sources: Array<{ kind: string; file: string; records: number }>;
  bench: BenchData | null;
  /** Every model with answers or judgments: judged models (best first), then the others by name. */
  models: string[];
  questions: QuestionView[];
  /** question key -> model -> answer. */
  answers: Record<string, Record<string, AnswerView>>;
  /** question key -> model -> judgments (by turn, then judge). */
  judgments: Record<string, Record<string, JudgmentView[]>>;
  datasets: DatasetView[];
  pairs: PairsView | null;
  /** One per held-out set of each simulator table. */
  simulators: SimulatorGroupView[];
  training: TrainingRunView[];
  cost: CostView | null;
}

/** Messages of the real history shown before the real next query (the last ones). */
export const HISTORY_SHOWN = 4;

/** One item of the Simulators picker: the real history's end, the real next query, each simulator's query. */
export interface SimulatorItemView {
  key: string;
  session_id: string;
  turn: number;
  /** The last HISTORY_SHOWN messages of the real history; null when the held-out file is not available. */
  history: Message[] | null;
  /** Messages of the history before those shown. */
  earlier: number;
  real: string;
  /** label -> generated query. */
  generated: Record<string, string>;
}

/** A simulator table's held-out set: `parrot simulator show`'s cells and the items every simulator was run on. */
export interface SimulatorGroupView {
  file: string;
  heldOut: string;
  /** heldOutKey (digest, limit, seed). */
  key: string;
  itemsAvailable: number;
  columns: string[];
  /** NEXT_QUERY_COLUMNS cells: real users first. */
  rows: string[][];
  pplNotes: string[];
  rolloutColumns: string[];
  rollouts: string[][] | null;
  /** Labels with a run file, in table order: the picker's columns. */
  labels: string[];
  /** Items that every label has a query for (by key), sorted by key; at most maxItems. */
  items: SimulatorItemView[];
  /** Shared items before the cap. */
  shared: number;
  notes: string[];
}

/** One training run: loss by step, and its summary when finished. */
export interface TrainingRunView {
  /** Folder name (with its parent when two runs share one). */
  label: string;
  dir: string;
  kind: string | null;
  /** [step, loss], in file order. */
  loss: Array<[number, number]>;
  /** [step, rewards/margins] of DPO runs (CaPO); null for SFT. */
  margins: Array<[number, number]> | null;
  lossFirst: number | null;
  lossLast: number | null;
  summary: { kind: string; steps: number; train_s: number; tokens: number; tokens_per_s: number; train_loss: number | null; device: string | null } | null;
}

/** Tokens of one input file's runs (written + unwritten over all runs, as the commands' "output total" line). */
export interface CostFileView {
  file: string;
  kind: string;
  command: string;
  roles: Array<{ role: string } & Counts>;
  total: Counts;
  /** Tokens of calls whose items wrote nothing (included in total). */
  unwritten: number;
  /** With prices: costOf's amount and per model, as fmtMoney text; models without a price. */
  cost: string | null;
  costByModel: Array<[string, string]>;
  unpriced: string[];
}

export interface CostView {
  /** The price table's currency; null without --prices. */
  currency: string | null;
  files: CostFileView[];
  total: Counts;
  totalCost: string | null;
}

/**
 * Benchmark tables from judgment rows: exact duplicates dropped, then one table per benchmark, judge model and prompt
 * set (show.ts summarizeJudgmentGroups), each with its per-turn and per-category data and its own best per column.
 * @returns null when there are no (non-dry-run) rows.
 * @throws UserError for two different judgments of one turn by one judge and prompt.
 */
function benchData(rows: ReadonlyArray<Judgment>, questions: ReadonlyArray<Question>, resamples: number, seed: number, where?: (row: Judgment) => string): BenchData | null {
  const live = rows.filter((r) => !r.dry_run);
  if (live.length === 0) return null;
  const categories = questions.length > 0 ? new Map(questions.map((q) => [q.question_id, q.category])) : undefined;
  const { rows: unique, duplicates } = dropDuplicateJudgments(live, where);
  const grouped = summarizeJudgmentGroups(unique, { categories, resamples, seed });
  const groups: BenchGroupData[] = grouped.groups.map((g) => {
    const out: BenchModelRow[] = Object.entries(g.models).map(([model, s]) => ({ model, ...s }));
    out.sort((a, b) => (b.overall ?? -Infinity) - (a.overall ?? -Infinity) || a.model.localeCompare(b.model));
    const best = {} as Record<Bucket, number | null>;
    for (const { key } of TURN_BUCKETS) {
      const vs = out.map((r) => r[key]).filter((v): v is number => v !== null);
      best[key] = vs.length ? Math.max(...vs) : null;
    }
    return {
      bench: g.bench,
      judge: g.judge,
      prompt: g.prompt,
      rows: out,
      best,
      turns: [...new Set(out.flatMap((r) => Object.keys(r.per_turn).map(Number)))].sort((a, b) => a - b),
      categories: [...new Set(out.flatMap((r) => Object.keys(r.categories)))].sort(),
      total: g.rows,
      failed: out.reduce((a, r) => a + r.failed, 0),
    };
  });
  const judges = [...new Set(unique.map((r) => (r.judge ?? []).join(" / ")).filter((j) => j !== ""))].sort();
  return {
    buckets: TURN_BUCKETS.map(({ key, label }) => ({ key, label })),
    groups,
    judges,
    total: unique.length,
    failed: groups.reduce((a, g) => a + g.failed, 0),
    duplicates,
    resamples,
  };
}

/**
 * Table 1 statistics, turns histogram and per-query context cues of one session file, in one streaming pass: each
 * session is read once, the detector runs once per user turn (for both the statistics and the marks), and only the
 * first `maxSessions` sessions are kept for the page.
 * @param sessions the file's sessions, in order (an array, or a one-pass iterator such as `iterateConversations`).
 */
export function datasetView(file: string, sessions: Iterable<Session>, maxSessions: number): DatasetView {
  const hist = new Map<number, number>();
  const stats = new StatsAccumulator();
  const shown: DatasetView["sessions"] = [];
  let contextQueries = 0;
  for (const s of sessions) {
    const t = queries(s).length;
    hist.set(t, (hist.get(t) ?? 0) + 1);
    const marks = contextTurns(s).map(({ turn, decision }): ContextMark => ({ index: turn.index, score: Math.round(decision.score * 1000) / 1000, cues: decision.cues }));
    stats.add(s, marks.length);
    if (shown.length < maxSessions) {
      shown.push({ id: s.id, messages: s.messages, context: marks });
      contextQueries += marks.length;
    }
  }
  const result = stats.result();
  return {
    file,
    stats: result,
    turnsHistogram: [...hist.entries()].sort((a, b) => a[0] - b[0]),
    contextQueries,
    sessions: shown,
    total: result.sessions,
  };
}

/**
 * The Simulators view of one table: per held-out set (show.ts simulatorTables) the table cells, and the items that
 * every simulator with a run file answered (same key, not skipped), each with the real history's last HISTORY_SHOWN
 * messages, the real next query and every simulator's generated query.
 */
export function simulatorViews(sim: LoadedSimulators, maxItems = 1000): SimulatorGroupView[] {
  return simulatorTables(sim.rows).map((g) => {
    const labels = g.rows.map((r) => r.label).filter((l) => sim.next[l] !== undefined);
    const byLabel = new Map(labels.map((l) => [l, new Map(sim.next[l].filter((r) => !r.skipped).map((r) => [r.key, r]))]));
    const first = labels.length ? [...byLabel.get(labels[0])!.values()] : [];
    const shared = first.filter((r) => labels.every((l) => byLabel.get(l)!.has(r.key)));
    shared.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
    const h = g.rows[0].held_out;
    const histories = sim.histories[`${h.file}\u0000${h.digest}`];
    const items = shared.slice(0, maxItems).map((r): SimulatorItemView => {
      const full = histories?.[r.key];
      return {
        key: r.key,
        session_id: r.session_id,
        turn: r.turn,
        history: full ? full.slice(-HISTORY_SHOWN) : null,
        earlier: full ? Math.max(0, full.length - HISTORY_SHOWN) : 0,
        real: r.real,
        generated: Object.fromEntries(labels.map((l) => [l, byLabel.get(l)!.get(r.key)!.generated])),
      };
    });
    return {
      file: sim.file,
      heldOut: g.file,
      key: g.key,
      itemsAvailable: g.itemsAvailable,
      columns: NEXT_QUERY_COLUMNS,
      rows: g.nextQuery,
      pplNotes: g.pplNotes,
      rolloutColumns: ROLLOUT_COLUMNS,
      rollouts: g.rollouts ?? null,
      labels,
      items,
      shared: shared.length,
      notes: sim.notes,
    };
  });
}

/**
 * The Training view's runs: loss by step per folder (DPO runs also rewards/margins), the summary, first and last
 * logged loss. Labels are folder names; runs whose folders share a name get their parent folder too.
 */
export function trainingViews(runs: ReadonlyArray<LoadedTraining>): TrainingRunView[] {
  const base = runs.map((r) => path.basename(path.resolve(r.dir)));
  const label = (r: LoadedTraining, i: number) => (base.filter((b) => b === base[i]).length === 1 ? base[i] : path.join(path.basename(path.dirname(path.resolve(r.dir))), base[i]));
  return runs.map((r, i) => {
    const loss = r.metrics.map((m): [number, number] => [m.step, m.loss]);
    const withMargins = r.metrics.filter((m) => typeof m["rewards/margins"] === "number");
    const s = r.summary;
    return {
      label: label(r, i),
      dir: r.dir,
      kind: s?.kind ?? null,
      loss,
      margins: withMargins.length ? withMargins.map((m): [number, number] => [m.step, m["rewards/margins"] as number]) : null,
      lossFirst: loss.length ? loss[0][1] : null,
      lossLast: loss.length ? loss[loss.length - 1][1] : null,
      summary: s ? { kind: s.kind, steps: s.steps, train_s: s.train_s, tokens: s.tokens, tokens_per_s: s.tokens_per_s, train_loss: s.train_loss ?? null, device: s.device ?? null } : null,
    };
  });
}

/**
 * The Cost view: per input file with a run manifest, its tokens by role (written and unwritten calls of every run,
 * summed) and, with a price table, their cost (usage.ts costOf, fmtMoney); null when no input has a manifest.
 */
export function costView(manifests: ReadonlyArray<LoadedManifest>, prices?: PriceTable): CostView | null {
  if (manifests.length === 0) return null;
  const all = emptyBreakdown();
  const files = manifests.map((m): CostFileView => {
    const b = addBreakdown(addBreakdown(emptyBreakdown(), m.usage.written), m.usage.unwritten);
    addBreakdown(all, b);
    const c = prices ? costOf(b, prices) : undefined;
    return {
      file: m.file,
      kind: m.kind,
      command: m.command,
      roles: Object.keys(b.by_role).sort().map((role) => ({ role, ...b.by_role[role] })),
      total: b.total,
      unwritten: tokensOf(m.usage.unwritten.total),
      cost: c && prices ? fmtMoney(c.amount, prices.currency) : null,
      costByModel: c && prices ? Object.entries(c.byModel).map(([model, v]): [string, string] => [model, fmtMoney(v, prices.currency)]) : [],
      unpriced: c ? c.unpriced : [],
    };
  });
  const t = prices ? costOf(all, prices) : undefined;
  return { currency: prices?.currency ?? null, files, total: all.total, totalCost: t && prices ? fmtMoney(t.amount, prices.currency) : null };
}

/**
 * Everything the page shows.
 * @throws UserError when the same model answers the same question in two answer files.
 */
export function buildReportData(inputs: LoadedInputs, options: ReportOptions = {}): ReportData {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const maxSessions = options.maxSessions ?? 500;
  const maxPairs = options.maxPairs ?? 1000;
  const allQuestions = inputs.questions.flatMap((q) => q.rows);
  const fileOf = new Map<Judgment, string>();
  for (const j of inputs.judgments) for (const r of j.rows) fileOf.set(r, j.file);
  const bench = benchData(inputs.judgments.flatMap((j) => j.rows), allQuestions, resamples, seed, (r) => fileOf.get(r) ?? "");
  // The browser shows each judgment once: exact duplicates (a file given twice) are left out here too.
  const judgmentRows = dropDuplicateJudgments(inputs.judgments.flatMap((j) => j.rows)).rows;

  // Questions, in file order, then ids only seen in answers/judgments (sorted).
  const questions = new Map<string, QuestionView>();
  for (const q of allQuestions) {
    const ref = Array.isArray((q as { reference?: unknown }).reference) ? ((q as { reference?: unknown[] }).reference ?? []).map(String) : null;
    questions.set(qidKey(q.question_id), { key: qidKey(q.question_id), id: q.question_id, category: q.category, turns: q.turns, reference: ref, referenceModel: ref ? "question file" : null });
  }
  const extra = new Map<string, number | string>();
  const note = (id: number | string) => {
    const k = qidKey(id);
    if (!questions.has(k)) extra.set(k, id);
  };

  const answers: Record<string, Record<string, AnswerView>> = {};
  const answerModels = new Set<string>();
  const answerFile = new Map<string, string>();
  for (const { file, rows } of inputs.answers) {
    for (const a of rows) {
      const k = qidKey(a.question_id);
      const key = `${a.model_id}\u0000${k}`;
      const prev = answerFile.get(key);
      if (prev !== undefined) throw new UserError(`${file}: ${a.model_id} answers question ${a.question_id} again (also in ${prev})`);
      answerFile.set(key, file);
      note(a.question_id);
      answerModels.add(a.model_id);
      (answers[k] ??= {})[a.model_id] = { turns: a.choices[0].turns, source: "answers" };
    }
  }

  const judgments: Record<string, Record<string, JudgmentView[]>> = {};
  const recovered = new Map<string, Map<number, string>>();
  for (const r of judgmentRows) {
    const k = qidKey(r.question_id);
    note(r.question_id);
    const score = rowScore(r);
    ((judgments[k] ??= {})[r.model] ??= []).push({ turn: r.turn, score, judgment: r.judgment ?? "", judge: (r.judge ?? []).join(" / ") });
    if (!answers[k]?.[r.model]) {
      const text = answerFromJudgePrompt(r.user_prompt, r.turn);
      if (text !== undefined) {
        const rk = `${r.model}\u0000${k}`;
        let m = recovered.get(rk);
        if (!m) recovered.set(rk, (m = new Map()));
        if (!m.has(r.turn)) m.set(r.turn, text);
      }
    }
  }
  for (const [rk, byTurn] of recovered) {
    const [model, k] = rk.split("\u0000");
    const n = Math.max(...byTurn.keys());
    (answers[k] ??= {})[model] = { turns: Array.from({ length: n }, (_, i) => byTurn.get(i + 1) ?? ""), source: "judge prompt" };
  }
  for (const byModel of Object.values(judgments)) for (const js of Object.values(byModel)) js.sort((a, b) => a.turn - b.turn || a.judge.localeCompare(b.judge));

  for (const [k, id] of [...extra.entries()].sort((a, b) => compareIds(a[1], b[1]))) {
    questions.set(k, { key: k, id, category: null, turns: [], reference: null, referenceModel: null });
  }
  for (const { rows } of inputs.references) {
    for (const a of rows) {
      const q = questions.get(qidKey(a.question_id));
      if (q) {
        q.reference = a.choices[0].turns;
        q.referenceModel = a.model_id;
      }
    }
  }

  const judged = bench ? [...new Set(bench.groups.flatMap((g) => g.rows.map((r) => r.model)))] : [];
  const others = [...answerModels].filter((m) => !judged.includes(m)).sort((a, b) => a.localeCompare(b));

  let pairs: PairsView | null = null;
  if (inputs.pairs.length > 0) {
    const all = inputs.pairs.flatMap((p) => p.pairs);
    const counts = new Map<string, number>();
    for (const p of all) counts.set(p.strategy, (counts.get(p.strategy) ?? 0) + 1);
    pairs = { files: inputs.pairs.map((p) => p.file), total: all.length, strategies: [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])), items: all.slice(0, maxPairs) };
  }

  // Sessions are read in one pass (inputs.sessions may be one-pass iterators): their views first, then the counts.
  const datasets = inputs.sessions.map((s) => datasetView(s.file, s.sessions, maxSessions));
  const sources: ReportData["sources"] = [
    ...inputs.judgments.map((x) => ({ kind: "judgments", file: x.file, records: x.rows.length })),
    ...inputs.answers.map((x) => ({ kind: "answers", file: x.file, records: x.rows.length })),
    ...inputs.questions.map((x) => ({ kind: "questions", file: x.file, records: x.rows.length })),
    ...inputs.references.map((x) => ({ kind: "reference answers", file: x.file, records: x.rows.length })),
    ...datasets.map((d) => ({ kind: "sessions", file: d.file, records: d.total })),
    ...inputs.pairs.map((x) => ({ kind: "pairs", file: x.file, records: x.pairs.length })),
    ...(inputs.simulators ?? []).map((x) => ({ kind: "simulators", file: x.file, records: x.rows.length })),
    ...(inputs.training ?? []).map((x) => ({ kind: "training", file: x.dir, records: x.metrics.length })),
  ];

  return {
    title: options.title ?? "parrot report",
    generated: options.generated ?? new Date().toISOString(),
    sources,
    bench,
    models: [...judged, ...others],
    questions: [...questions.values()],
    answers,
    judgments,
    datasets,
    pairs,
    simulators: (inputs.simulators ?? []).flatMap((x) => simulatorViews(x)),
    training: trainingViews(inputs.training ?? []),
    cost: costView(inputs.manifests ?? [], options.prices),
  };
}

function compareIds(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}
