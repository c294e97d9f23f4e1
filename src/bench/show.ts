/**
 * Aggregation of single-answer judgments into per-model scores: FastChat `show_result.py` display_result_single
 * (means of `score` per model and per (model, turn), rows with score -1 dropped) extended with MT-Bench++'s turn
 * buckets (paper Table 3: Turn 3-5, Turn 6-8; TURN_BUCKETS is their one definition), per-category means, failure
 * counts and a bootstrap interval per bucket.
 *
 * Rows are never pooled across benchmarks, judge models or prompt sets (summarizeJudgmentGroups: one table each, as
 * the paper reports MT-Bench and MT-Bench++ apart), and a judgment given twice (a file named twice) counts once.
 *
 * Pure functions only: `parrot bench show` and the report (src/report) both call summarizeJudgmentGroups.
 */
import { UserError } from "../io/errors.js";
import { mulberry32 } from "../run/rng.js";
import { MT_BENCH_PP_PROMPT_NAME } from "./prompts.js";
import { FAILED_SCORE, parseScore } from "./score.js";
import { qidKey } from "../records/question.js";

/** The fields of a judgment row the summary reads (FastChat's judgment format; extra fields are ignored). */
export interface JudgmentLike {
  question_id: number | string;
  model: string;
  turn: number;
  /** Parsed rating; -1 = no rating. When absent or null, `judgment` is parsed with FastChat's parser. */
  score?: number | null;
  judgment?: string | null;
  /** Rows written by `bench judge --dry-run` carry no judgment and are skipped. */
  dry_run?: boolean;
  /** FastChat's `[judge model, judge prompt name]`. */
  judge?: ReadonlyArray<string> | null;
}

/**
 * Paper Table 3's turn buckets, in column order: the ModelSummary field, the column heading, and the first and last
 * turn the bucket holds. `bench show` and the report (src/report) both take their columns from here.
 */
export const TURN_BUCKETS = [
  { key: "overall", label: "Overall", first: 1, last: Infinity },
  { key: "turn_1", label: "Turn 1", first: 1, last: 1 },
  { key: "turn_2", label: "Turn 2", first: 2, last: 2 },
  { key: "turns_3_5", label: "Turn 3-5", first: 3, last: 5 },
  { key: "turns_6_8", label: "Turn 6-8", first: 6, last: 8 },
] as const;
export type Bucket = (typeof TURN_BUCKETS)[number]["key"];

/** Per-model scores. Means are on the judge's 1-10 scale; `null` where no row falls in the group. */
export interface ModelSummary {
  /** Mean over all rated rows of the model (show_result.py "Average"). */
  overall: number | null;
  /** Mean over turn 1 rows (show_result.py "First turn"). */
  turn_1: number | null;
  /** Mean over turn 2 rows (show_result.py "Second turn"). */
  turn_2: number | null;
  /** Mean over rows of turns 3, 4 and 5 (paper Table 3 "Turn 3-5"). */
  turns_3_5: number | null;
  /** Mean over rows of turns 6, 7 and 8 (paper Table 3 "Turn 6-8"). */
  turns_6_8: number | null;
  /** Mean per turn number, keys "1", "2", ... (only turns present). */
  per_turn: Record<string, number | null>;
  /** Rated rows (score != -1): the rows every mean above is taken over. */
  n: number;
  /** Rows with score -1 (no rating in the judgment), excluded from the means. */
  failed: number;
  /** Mean per question category, when categories were given (keys sorted); rows of unknown questions go to "unknown". */
  categories: Record<string, number | null>;
  /**
   * 95% bootstrap percentile interval of `overall`, [low, high]: questions are resampled with replacement (all rated
   * rows of a question stay together, since the turns of a session are not independent), `resamples` times, with
   * the seeded mulberry32 generator; null when there is no rated row. The same as `intervals.overall`.
   */
  ci95: [number, number] | null;
  /** The same 95% interval for each Table 3 bucket, over the bucket's rated rows (same resamples and seed). */
  intervals: Record<Bucket, [number, number] | null>;
}

export interface BenchSummary {
  /** Models by name (the judgment rows' `model`), in first-seen order. */
  models: Record<string, ModelSummary>;
}

export interface SummaryOptions {
  /** question_id -> category, for the per-category means (e.g. from the questions file). */
  categories?: ReadonlyMap<number | string, string>;
  /** Bootstrap resamples. Default 1000. */
  resamples?: number;
  /** Bootstrap seed. Default 0. */
  seed?: number;
}

/** Score of a row: `score` when it is a number, else FastChat's parse of `judgment` (-1 without one). */
export function rowScore(row: JudgmentLike): number {
  if (typeof row.score === "number") return row.score;
  return typeof row.judgment === "string" ? parseScore(row.judgment) : FAILED_SCORE;
}

function mean(xs: ReadonlyArray<number>): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Percentile (linear interpolation between closest ranks, numpy's default) of sorted values.
 * @param q in [0, 1].
 */
export function percentile(sorted: ReadonlyArray<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Cluster bootstrap of the mean: resample clusters (questions) with replacement, take the mean of all their values.
 * @returns [2.5th, 97.5th] percentiles of the resampled means, or null with no values.
 */
export function bootstrapMeanCI(clusters: ReadonlyArray<ReadonlyArray<number>>, resamples: number, seed: number): [number, number] | null {
  const nonEmpty = clusters.filter((c) => c.length > 0);
  if (nonEmpty.length === 0) return null;
  const sums = nonEmpty.map((c) => c.reduce((a, b) => a + b, 0));
  const counts = nonEmpty.map((c) => c.length);
  const rand = mulberry32(seed);
  const means: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    let n = 0;
    for (let i = 0; i < nonEmpty.length; i++) {
      const j = Math.floor(rand() * nonEmpty.length);
      s += sums[j];
      n += counts[j];
    }
    means.push(s / n);
  }
  means.sort((a, b) => a - b);
  return [percentile(means, 0.025), percentile(means, 0.975)];
}

/**
 * Summarize judgment rows per model (see ModelSummary). Dry-run rows are skipped; everything else counts, including
 * repeated rows, as show_result.py counts every line.
 */
export function summarizeJudgments(rows: Iterable<JudgmentLike>, options: SummaryOptions = {}): BenchSummary {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const catOf = new Map<string, string>();
  if (options.categories) for (const [id, c] of options.categories) catOf.set(qidKey(id), c);

  interface Acc {
    failed: number;
    byTurn: Map<number, number[]>;
    byCat: Map<string, number[]>;
    /** Per bucket: its rated scores in row order, and question by question (the bootstrap's clusters). */
    byBucket: Map<Bucket, { scores: number[]; byQuestion: Map<string, number[]> }>;
  }
  const accs = new Map<string, Acc>();
  for (const row of rows) {
    if (row.dry_run) continue;
    let acc = accs.get(row.model);
    if (!acc) accs.set(row.model, (acc = { failed: 0, byTurn: new Map(), byCat: new Map(), byBucket: new Map(TURN_BUCKETS.map((b) => [b.key, { scores: [], byQuestion: new Map() }])) }));
    const s = rowScore(row);
    if (s === FAILED_SCORE) {
      acc.failed++;
      continue;
    }
    const t = acc.byTurn.get(row.turn) ?? [];
    t.push(s);
    acc.byTurn.set(row.turn, t);
    const qk = qidKey(row.question_id);
    for (const b of TURN_BUCKETS) {
      if (row.turn < b.first || row.turn > b.last) continue;
      const { scores, byQuestion } = acc.byBucket.get(b.key)!;
      scores.push(s);
      const qs = byQuestion.get(qk) ?? [];
      qs.push(s);
      byQuestion.set(qk, qs);
    }
    if (options.categories) {
      const c = catOf.get(qk) ?? "unknown";
      const cs = acc.byCat.get(c) ?? [];
      cs.push(s);
      acc.byCat.set(c, cs);
    }
  }

  const models: Record<string, ModelSummary> = {};
  for (const [model, acc] of accs) {
    const means = {} as Record<Bucket, number | null>;
    const intervals = {} as Record<Bucket, [number, number] | null>;
    for (const { key } of TURN_BUCKETS) {
      const { scores, byQuestion } = acc.byBucket.get(key)!;
      means[key] = mean(scores);
      intervals[key] = bootstrapMeanCI([...byQuestion.values()], resamples, seed);
    }
    const perTurn: Record<string, number | null> = {};
    for (const t of [...acc.byTurn.keys()].sort((a, b) => a - b)) perTurn[String(t)] = mean(acc.byTurn.get(t)!);
    const categories: Record<string, number | null> = {};
    for (const c of [...acc.byCat.keys()].sort()) categories[c] = mean(acc.byCat.get(c)!);
    models[model] = {
      ...means,
      per_turn: perTurn,
      n: acc.byBucket.get("overall")!.scores.length,
      failed: acc.failed,
      categories,
      ci95: intervals.overall,
      intervals,
    };
  }
  return { models };
}

/** What a table of judgments is about: the benchmark, the judge model and the judge prompt set. */
export interface JudgmentGroupKey {
  /** "MT-Bench" (FastChat's single-answer prompts), "MT-Bench++" (the paper's Fig. 4 prompt), else "unknown". */
  bench: string;
  /** The judge model, `judge[0]`. */
  judge: string;
  /**
   * The prompt set: FastChat's general and math prompts for turn 1 and for later turns (`single-v1`,
   * `single-math-v1`, `single-v1-multi-turn`, `single-math-v1-multi-turn`) are one set, `single-v1`, as FastChat's
   * show_result.py pools them; any other prompt name is its own set.
   */
  prompt: string;
}

const FASTCHAT_SINGLE = /^single(?:-math)?-(v\d+)(?:-multi-turn)?$/;

/** The group of a row from its `judge: [judge model, prompt name]` (see JudgmentGroupKey). */
export function judgmentGroup(judge: ReadonlyArray<string> | null | undefined): JudgmentGroupKey {
  const model = judge?.[0] || "unknown judge";
  const name = judge?.[1] || "unknown prompt";
  const fc = FASTCHAT_SINGLE.exec(name);
  if (fc) return { bench: "MT-Bench", judge: model, prompt: `single-${fc[1]}` };
  if (name === MT_BENCH_PP_PROMPT_NAME) return { bench: "MT-Bench++", judge: model, prompt: name };
  return { bench: "unknown", judge: model, prompt: name };
}

/** One table: its key, the per-model summary of its rows, and how many rows (dry runs excluded) it holds. */
export interface BenchGroupSummary extends JudgmentGroupKey, BenchSummary {
  rows: number;
}

export interface GroupedBenchSummary {
  /** Sorted by benchmark, then judge, then prompt. */
  groups: BenchGroupSummary[];
  /** Rows dropped as exact repeats of an earlier row (same judge, prompt, model, question, turn and result). */
  duplicates: number;
}

/**
 * Drop exact repeats: a row with the same judge model, prompt name, model, question and turn as an earlier one and
 * the same result (score and judgment) is dropped and counted. Dry-run rows are left out.
 * @param where names the source of a row in an error (e.g. its file).
 * @throws UserError when two rows of one key disagree (two judge runs of the same turn pooled would count twice).
 */
export function dropDuplicateJudgments<T extends JudgmentLike>(rows: Iterable<T>, where: (row: T) => string = () => ""): { rows: T[]; duplicates: number } {
  const seen = new Map<string, { result: string; row: T }>();
  const out: T[] = [];
  let duplicates = 0;
  for (const row of rows) {
    if (row.dry_run) continue;
    const key = JSON.stringify([row.judge?.[0] ?? null, row.judge?.[1] ?? null, row.model, qidKey(row.question_id), row.turn]);
    const result = JSON.stringify([rowScore(row), row.judgment ?? null]);
    const prev = seen.get(key);
    if (prev) {
      if (prev.result !== result) {
        const g = judgmentGroup(row.judge);
        const at = [where(prev.row), where(row)].filter(Boolean);
        throw new UserError(
          `model ${row.model}, question ${row.question_id}, turn ${row.turn} is judged twice by ${g.judge} (prompt ${row.judge?.[1] ?? "unknown"}) with different results ` +
            `(scores ${rowScore(prev.row)} and ${rowScore(row)}${at.length ? `; ${[...new Set(at)].join(", ")}` : ""}): keep one judge run per output`,
        );
      }
      duplicates++;
      continue;
    }
    seen.set(key, { result, row });
    out.push(row);
  }
  return { rows: out, duplicates };
}

/**
 * Summarize judgments per group (judgmentGroup: benchmark, judge model, prompt set), after dropping exact duplicates
 * (dropDuplicateJudgments); each group's models as summarizeJudgments gives them.
 * @throws UserError for two different judgments of one turn by one judge and prompt.
 */
export function summarizeJudgmentGroups<T extends JudgmentLike>(rows: Iterable<T>, options: SummaryOptions & { where?: (row: T) => string } = {}): GroupedBenchSummary {
  const { rows: unique, duplicates } = dropDuplicateJudgments(rows, options.where);
  const byGroup = new Map<string, { key: JudgmentGroupKey; rows: T[] }>();
  for (const row of unique) {
    const key = judgmentGroup(row.judge);
    const k = JSON.stringify([key.bench, key.judge, key.prompt]);
    let g = byGroup.get(k);
    if (!g) byGroup.set(k, (g = { key, rows: [] }));
    g.rows.push(row);
  }
  const groups = [...byGroup.values()]
    .sort((a, b) => a.key.bench.localeCompare(b.key.bench) || a.key.judge.localeCompare(b.key.judge) || a.key.prompt.localeCompare(b.key.prompt))
    .map((g) => ({ ...g.key, rows: g.rows.length, ...summarizeJudgments(g.rows, options) }));
  return { groups, duplicates };
}

/** The heading of a group's table: `MT-Bench, judge gpt-4, prompt single-v1 (800 judgments)`. */
export function groupTitle(g: JudgmentGroupKey & { rows: number }): string {
  return `${g.bench}, judge ${g.judge}, prompt ${g.prompt} (${g.rows} judgments)`;
}

function fmt(x: number | null, digits: number): string {
  return x === null ? "-" : x.toFixed(digits);
}

/**
 * A plain-text table like the paper's Table 3: one line per model, sorted by overall (best first), columns
 * Overall, Turn 1, Turn 2, Turn 3-5, Turn 6-8, 95% CI, n, failed; "-" where a bucket has no rows. Then, when
 * categories are known, one table of per-category means.
 */
export function formatSummaryTable(summary: BenchSummary, digits = 4): string {
  const names = Object.keys(summary.models).sort((a, b) => (summary.models[b].overall ?? -Infinity) - (summary.models[a].overall ?? -Infinity) || a.localeCompare(b));
  const header = ["Model", ...TURN_BUCKETS.map((b) => b.label), "95% CI", "n", "failed"];
  const lines: string[][] = [header];
  for (const m of names) {
    const s = summary.models[m];
    lines.push([
      m,
      ...TURN_BUCKETS.map((b) => fmt(s[b.key], digits)),
      s.ci95 ? `[${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}]` : "-",
      String(s.n),
      String(s.failed),
    ]);
  }
  const out = [renderColumns(lines)];
  const cats = [...new Set(names.flatMap((m) => Object.keys(summary.models[m].categories)))].sort();
  if (cats.length > 0) {
    const rows: string[][] = [["Model", ...cats]];
    for (const m of names) rows.push([m, ...cats.map((c) => fmt(summary.models[m].categories[c] ?? null, 2))]);
    out.push(renderColumns(rows));
  }
  return out.join("\n\n") + "\n";
}

function renderColumns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd()).join("\n");
}

/** The fields of a pairwise judgment row the summary reads (FastChat play_a_match_pair rows). */
export interface PairJudgmentLike {
  model_1: string;
  model_2: string;
  g1_winner?: string | null;
  g2_winner?: string | null;
  dry_run?: boolean;
}

/** Per-model pairwise results, as FastChat show_result.py display_result_pairwise computes them. */
export interface PairSummary {
  win: number;
  loss: number;
  tie: number;
  /** win / (win + loss + tie). */
  win_rate: number;
  /** loss / (win + loss + tie). */
  loss_rate: number;
  /** (win + 0.5 tie) / (win + loss + tie). */
  win_rate_adjusted: number;
}

/**
 * show_result.py display_result_pairwise: rows with an "error" winner in either game are dropped; a game-1 tie or
 * games that disagree count as a tie for both models; otherwise the agreed winner wins. With `baseline`, only
 * rows involving it count and the baseline itself is not listed.
 */
export function summarizePairwise(rows: Iterable<PairJudgmentLike>, baseline?: string): Record<string, PairSummary> {
  const acc = new Map<string, { win: number; loss: number; tie: number }>();
  const add = (m: string, k: "win" | "loss" | "tie") => {
    const a = acc.get(m) ?? { win: 0, loss: 0, tie: 0 };
    a[k]++;
    acc.set(m, a);
  };
  for (const r of rows) {
    if (r.dry_run || r.g1_winner === "error" || r.g2_winner === "error" || r.g1_winner == null || r.g2_winner == null) continue;
    if (baseline !== undefined && r.model_1 !== baseline && r.model_2 !== baseline) continue;
    if (r.g1_winner === "tie" || r.g1_winner !== r.g2_winner) {
      add(r.model_1, "tie");
      add(r.model_2, "tie");
    } else {
      const [w, l] = r.g1_winner === "model_1" ? [r.model_1, r.model_2] : [r.model_2, r.model_1];
      add(w, "win");
      add(l, "loss");
    }
  }
  const out: Record<string, PairSummary> = {};
  for (const [m, a] of acc) {
    if (m === baseline) continue;
    const n = a.win + a.loss + a.tie;
    out[m] = { ...a, win_rate: a.win / n, loss_rate: a.loss / n, win_rate_adjusted: (a.win + 0.5 * a.tie) / n };
  }
  return out;
}

/** Plain-text table of pairwise results, sorted by adjusted win rate (show_result.py's order). */
export function formatPairwiseTable(pairs: Record<string, PairSummary>): string {
  const names = Object.keys(pairs).sort((a, b) => pairs[b].win_rate_adjusted - pairs[a].win_rate_adjusted || a.localeCompare(b));
  const rows = [["Model", "win", "loss", "tie", "win_rate", "loss_rate", "win_rate_adjusted"]];
  for (const m of names) {
    const p = pairs[m];
    rows.push([m, String(p.win), String(p.loss), String(p.tie), p.win_rate.toFixed(4), p.loss_rate.toFixed(4), p.win_rate_adjusted.toFixed(4)]);
  }
  return renderColumns(rows) + "\n";
}
