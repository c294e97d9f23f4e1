/**
 * `parrot simulator show FILE`: the table of `parrot simulator eval` rows, grouped by held-out set (same sessions
 * digest, limit and seed), each group's real-users reference row first. Pure formatting; src/report reuses it.
 */
import type { QueryMetrics } from "./metrics.js";
import type { SimulatorRow } from "../records/simulator.js";

/** A printable number: fixed digits, "—" for null/NaN. */
export function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(digits);
}

/** Held-out set key of a row: rows with the same key were scored on the same items. */
export function heldOutKey(r: SimulatorRow): string {
  return `${r.held_out.digest.slice(0, 12)} limit=${r.held_out.limit ?? "all"} seed=${r.held_out.seed}`;
}

export const NEXT_QUERY_COLUMNS = ["label", "model", "n", "ppl_real", "role_leak", "words", "median", "question", "ctx_rate", "distinct_2", "rougeL_real", "len_W1"];

/** One next-query table line for metrics `m`. */
export function nextQueryCells(label: string, model: string, m: QueryMetrics): string[] {
  return [label, model, String(m.n), fmt(m.ppl_real), fmt(m.role_leak), fmt(m.words_mean, 1), fmt(m.words_median, 1), fmt(m.question_rate), fmt(m.ctx_rate), fmt(m.distinct_2), fmt(m.rouge_l_to_real), fmt(m.length_w1, 1)];
}

export const ROLLOUT_COLUMNS = ["label", "assistant", "sessions", "avg_turns", "avg_ctx_queries", "self_rouge", "words", "ctx_rate", "role_leak", "early_stops"];

function stops(r: Record<string, number>): string {
  const e = Object.entries(r).filter(([k]) => k !== "turns");
  return e.length ? e.map(([k, v]) => `${k}:${v}`).join(" ") : "0";
}

function table(header: string[], lines: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [row(header), row(w.map((n) => "-".repeat(n))), ...lines.map(row)].join("\n");
}

/** One rollout table line for a summary `s`. */
export function rolloutCells(label: string, assistant: string, s: NonNullable<SimulatorRow["rollouts"]>["summary"]): string[] {
  return [
    label,
    assistant,
    String(s.stats.sessions),
    fmt(s.stats.avg_turns),
    fmt(s.stats.avg_ctx_queries),
    fmt(s.stats.self_rouge, 1),
    fmt(s.queries.words_mean, 1),
    fmt(s.queries.ctx_rate),
    fmt(s.queries.role_leak),
    stops(s.stop_reasons),
  ];
}

/** The tables of one held-out set: cells as `simulator show` prints them, real users first. */
export interface SimulatorTableGroup {
  /** heldOutKey of the rows. */
  key: string;
  /** Held-out sessions file, items available there. */
  file: string;
  itemsAvailable: number;
  rows: SimulatorRow[];
  /** NEXT_QUERY_COLUMNS lines: real users, then one per row. */
  nextQuery: string[][];
  /** `LABEL: ppl_real NOTE` for rows whose perplexity is not available. */
  pplNotes: string[];
  /** ROLLOUT_COLUMNS lines (real users first), when any row has rollouts. */
  rollouts?: string[][];
}

/** The rows grouped by held-out set (heldOutKey, first-seen order), each group's table cells. */
export function simulatorTables(rows: ReadonlyArray<SimulatorRow>): SimulatorTableGroup[] {
  const groups = new Map<string, SimulatorRow[]>();
  for (const r of rows) {
    const k = heldOutKey(r);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups].map(([key, rs]) => {
    const withRoll = rs.filter((r) => r.rollouts);
    const ref = withRoll[0]?.rollouts;
    return {
      key,
      file: rs[0].held_out.file,
      itemsAvailable: rs[0].held_out.items_available,
      rows: rs,
      nextQuery: [nextQueryCells("real users", "—", rs[0].next_query.reference), ...rs.map((r) => nextQueryCells(r.label, r.model, r.next_query.metrics))],
      pplNotes: rs.filter((r) => r.next_query.ppl_note).map((r) => `${r.label}: ppl_real ${r.next_query.ppl_note}`),
      ...(ref && { rollouts: [rolloutCells(`real users (${ref.turns} turns)`, "—", ref.reference), ...withRoll.map((r) => rolloutCells(r.label, r.rollouts!.assistant, r.rollouts!.summary))] }),
    };
  });
}

/** The text of `parrot simulator show`: per held-out set a next-query table and, when any, a rollout table. */
export function formatSimulatorTable(rows: ReadonlyArray<SimulatorRow>): string {
  const out: string[] = [];
  for (const g of simulatorTables(rows)) {
    out.push(`held-out ${g.file} (${g.key}; ${g.itemsAvailable} items available)`);
    out.push("next query on real history:");
    out.push(table(NEXT_QUERY_COLUMNS, g.nextQuery));
    out.push(...g.pplNotes.map((n) => `  ${n}`));
    if (g.rollouts) {
      out.push("rollouts:");
      out.push(table(ROLLOUT_COLUMNS, g.rollouts));
    }
    out.push("");
  }
  return out.join("\n");
}
