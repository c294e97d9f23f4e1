/**
 * `parrot capo --context FILE`: the context-dependency decisions of `parrot context detect` rows (issue 12 item 7),
 * so the paper's selection (section 3.3: pronoun cues plus an LLM judgment) runs end to end.
 *
 * A row is `{id, turn, context_dependent, score?, cues?, heuristic?, judge?}` (src/context/queries.ts ContextRow).
 * The judge's decision wins where present (`judge.context_dependent` true or false); otherwise (no judge, or the
 * judge gave no parseable verdict: null) the row's heuristic decision (`heuristic.context_dependent`, else
 * `context_dependent`) is used. When a query has two rows (merged files), one with a judge verdict wins.
 */
import { InputError } from "../io/errors.js";
import { iterateJsonl } from "../io/jsonl.js";
import type { QueryDecision } from "./build.js";

/** Decisions by `${session id}/${turn}` (turn: 1-based user turn, >= 2). */
export type ContextDecisions = Map<string, QueryDecision>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Read and validate a `context detect` output.
 * @returns decisions by `id/turn`; `decided_by` is "judge" when the judge's verdict was used, else "heuristic".
 * @throws InputError naming file, line and field for a row that is not a context row (missing id, turn < 2,
 *   context_dependent not a boolean, judge.context_dependent not a boolean or null); UserError for an empty file.
 */
export function loadContextDecisions(file: string): ContextDecisions {
  const out: ContextDecisions = new Map();
  for (const rec of iterateJsonl(file)) {
    const r = rec.value;
    const bad = (field: string | undefined, problem: string) => new InputError(file, rec.line, field, problem);
    if (!isObj(r)) throw bad(undefined, "expected a row of parrot context detect ({id, turn, context_dependent, ...})");
    if (typeof r.id !== "string" || r.id === "") throw bad("id", "expected a session id (string)");
    if (typeof r.turn !== "number" || !Number.isInteger(r.turn) || r.turn < 2) throw bad("turn", "expected a user turn >= 2 (integer)");
    if (typeof r.context_dependent !== "boolean") throw bad("context_dependent", "expected true or false");
    let judge: boolean | null = null;
    if (r.judge !== undefined) {
      if (!isObj(r.judge) || (r.judge.context_dependent !== null && typeof r.judge.context_dependent !== "boolean")) {
        throw bad("judge.context_dependent", "expected true, false or null");
      }
      judge = r.judge.context_dependent as boolean | null;
    }
    const heuristic = isObj(r.heuristic) && typeof r.heuristic.context_dependent === "boolean" ? r.heuristic.context_dependent : r.context_dependent;
    const score = typeof r.score === "number" ? r.score : 0;
    const cues = Array.isArray(r.cues) ? r.cues.filter((c): c is string => typeof c === "string") : [];
    const d: QueryDecision = judge === null ? { context_dependent: heuristic, score, cues, decided_by: "heuristic" } : { context_dependent: judge, score, cues, decided_by: "judge" };
    const key = `${r.id}/${r.turn}`;
    const prev = out.get(key);
    if (prev && prev.decided_by === "judge" && d.decided_by !== "judge") continue;
    out.set(key, d);
  }
  if (out.size === 0) throw new InputError(file, undefined, undefined, "no rows of parrot context detect");
  return out;
}
