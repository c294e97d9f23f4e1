/**
 * The `parrot simulator eval` run: validate, generate the next queries on real history, collect rollouts (one
 * `collectSession` each, as `parrot collect` does), both on the shared run loop (src/run/executor.ts), then append
 * one summary row per run to `--out`.
 *
 * Files: `--out FILE` holds the table (one row per `--label`); the work of a run is kept beside it, each file
 * resumable with its own lock and run manifest (src/run/output.ts):
 * - `FILE.runs/LABEL.next.jsonl`: one row per next-query item (`NextQueryRow`);
 * - `FILE.runs/LABEL.rollouts.jsonl`: the rollout sessions, in collect's session format.
 * The summary row is appended only when every item of both parts is done (a run with skipped items exits 3 and a
 * rerun finishes it); rerunning a finished run prints that it is already in FILE. A label already in FILE with
 * other settings is refused.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COLLECT_OPTIONS, collectTask, newCollectCounters, seedItemKey } from "../collect/collect.js";
import { sampleSeeds, usableSeeds } from "../collect/seeds.js";
import { PROMPT_VERSION } from "../collect/prompts.js";
import { createSimulator, type SimulatorMode } from "../collect/simulators.js";
import { readConversations } from "../conversations/readers.js";
import { userTurns, type Session } from "../conversations/session.js";
import { sessionSeedKey } from "../records/session.js";
import { simulatorRunFiles, type SimulatorRow } from "../records/simulator.js";
import { UserError } from "../io/errors.js";
import { iterateExistingOutput } from "../io/jsonl.js";
import { isContextLengthError } from "../llm/errors.js";
import { type Task, execute, planTasks } from "../run/executor.js";
import { digestValues } from "../run/manifest.js";
import { openResumable } from "../run/output.js";
import { wordCount } from "./metrics.js";
import {
  cutToTurns,
  nextQueryItems,
  sampleItems,
  scoreRealQuery,
  summarizeNextQueries,
  summarizeSessions,
  type NextQueryItem,
  type NextQueryRow,
} from "./eval.js";

export interface SimulatorEvalOptions {
  sessions: string;
  simulator: SimulatorMode;
  asker: string;
  label?: string;
  out: string;
  assistant?: string;
  rollouts?: number;
  turns: number;
  limit?: number;
  concurrency: number;
  seed: number;
  requestTimeout?: number;
  queryMaxTokens: number;
  askerTemperature: number;
  maxTokens: number;
}

/** One row of `--out` (schema and type: src/records/simulator.ts). */
export type { SimulatorRow } from "../records/simulator.js";

/** The rollouts' names in collect's task kind (its key and item: the seed, keyed by id, `seed + index` sampling). */
const rolloutTask = { command: "parrot simulator eval", label: "rollouts", unit: "rollouts" };

const LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

/** The default label: `SIMULATOR-MODELNAME`, file-name safe. */
export function defaultLabel(simulator: string, asker: string): string {
  const name = asker.replace(/^.*[#/:]/, "").replace(/\.gguf$/i, "") || asker;
  return `${simulator}-${name}`.replace(/[^A-Za-z0-9._+-]+/g, "_").slice(0, 100);
}

/** Rows of an existing `--out` (none when absent). */
export function readSimulatorRows(file: string): SimulatorRow[] {
  const rows: SimulatorRow[] = [];
  for (const r of iterateExistingOutput(file)) rows.push(r.value as SimulatorRow);
  return rows;
}

/**
 * Run `parrot simulator eval` (see the module docs).
 * @throws UserError on bad flags or input (before any file is written), a label in `--out` with other settings,
 *   or, at the end, IncompleteRunError (exit 3) when items failed after retries.
 */
export async function runSimulatorEval(flags: SimulatorEvalOptions, log: (line: string) => void = (line) => process.stderr.write(line + "\n")): Promise<void> {
  if (flags.simulator !== "parrot-ask" && flags.simulator !== "prompted") {
    throw new UserError(`--simulator "${flags.simulator}": expected parrot-ask or prompted`);
  }
  const label = flags.label ?? defaultLabel(flags.simulator, flags.asker);
  if (!LABEL_RE.test(label)) throw new UserError(`--label "${label}": use letters, digits and . _ + - (up to 100 characters)`);
  if (flags.rollouts !== undefined && !flags.assistant) throw new UserError("--rollouts needs --assistant (the model that answers in the rollouts)");
  const sessions = readConversations(flags.sessions);
  const allItems = nextQueryItems(sessions);
  if (allItems.length === 0) throw new UserError(`${flags.sessions}: no user turn >= 2 after an assistant response in ${sessions.length} sessions: nothing to evaluate`);
  const items = sampleItems(allItems, flags.limit, flags.seed);
  const digest = digestValues(allItems.map((i) => [i.key, i.history, i.real]));
  const rolloutK = flags.assistant ? (flags.rollouts ?? 10) : 0;
  const rolloutSeeds = rolloutK ? sampleSeeds(usableSeeds(sessions), rolloutK, flags.seed, flags.sessions) : [];
  const settings = {
    simulator: flags.simulator,
    asker: flags.asker,
    held_out: { digest, limit: flags.limit ?? null, seed: flags.seed },
    prompt_version: PROMPT_VERSION,
    generation: { query_max_tokens: flags.queryMaxTokens, asker_temperature: flags.askerTemperature },
    rollouts: flags.assistant ? { assistant: flags.assistant, k: rolloutK, turns: flags.turns, max_tokens: flags.maxTokens } : null,
  };
  const settingsDigest = digestValues([settings]);
  const prior = readSimulatorRows(flags.out).find((r) => r?.label === label);
  if (prior) {
    if (prior.settings_digest === settingsDigest) {
      log(`parrot simulator eval: "${label}" is already in ${flags.out}; nothing to do (\`parrot simulator show ${flags.out}\`)`);
      return;
    }
    throw new UserError(`${flags.out}: label "${label}" is already there with other settings; choose another --label`);
  }
  const runFiles = simulatorRunFiles(flags.out, label);
  const inputs = { "--sessions": flags.sessions };
  const nextFile = runFiles.next;
  const next = openResumable<NextQueryRow>(nextFile, (r) => r.key, { inputs, run: { command: "simulator eval", settings } });
  const simulatorOpts = { temperature: flags.askerTemperature, maxTokens: flags.queryMaxTokens };
  let unavailable: string | undefined;
  const nextTask: Task<NextQueryItem, NextQueryRow> = {
    command: "parrot simulator eval",
    label: "next queries",
    unit: "items",
    key: (it) => it.key,
    describe: (it) => `item ${it.key}`,
    play: async ([model], it) => {
      const sim = createSimulator(flags.simulator, model);
      const seed = flags.seed * 1_000_003 + items.indexOf(it);
      let q: { query: string; tokens: number };
      try {
        q = await sim.nextQuery(it.history, { ...simulatorOpts, seed });
      } catch (err) {
        // A history over the simulator's context is a property of the item: recorded, left out of the metrics.
        if (!isContextLengthError(err)) throw err;
        return { key: it.key, session_id: it.session_id, turn: it.turn, real: it.real, generated: "", ppl: null, skipped: "context-length", tokens: 0 };
      }
      // Once the engine said it cannot score, do not ask again for every item.
      const ppl = unavailable ? { none: unavailable } : await scoreRealQuery(model, flags.simulator, it);
      if ("none" in ppl && ppl.none.startsWith("not-available")) unavailable = ppl.none;
      return {
        key: it.key,
        session_id: it.session_id,
        turn: it.turn,
        real: it.real,
        generated: q.query,
        ppl: "score" in ppl ? ppl.score : null,
        ...("none" in ppl && { ppl_none: ppl.none }),
        tokens: q.tokens,
      };
    },
  };
  const plan = planTasks(nextTask, items, next.done);
  log(`parrot simulator eval: ${items.length} next-query items (${plan.already} already done) from ${flags.sessions}; ${flags.simulator} simulator ${flags.asker} -> ${nextFile}`);
  const nextResult = await execute(nextTask, plan, { output: next, models: [{ spec: flags.asker, flag: "asker" }], concurrency: flags.concurrency, requestTimeout: flags.requestTimeout });
  let incomplete = nextResult.report();

  let rollouts: SimulatorRow["rollouts"];
  if (flags.assistant) {
    const rollFile = runFiles.rollouts;
    const roll = openResumable<Session>(rollFile, sessionSeedKey, { inputs, run: { command: "simulator eval", settings } });
    const rollPlan = planTasks({ key: seedItemKey }, rolloutSeeds.map((seed, index) => ({ seed, index })), roll.done);
    log(`parrot simulator eval: ${rolloutK} rollouts of ${flags.turns} turns (${rolloutK - rollPlan.todo.length} already done) with assistant ${flags.assistant} -> ${rollFile}`);
    const collectOpts = { ...DEFAULT_COLLECT_OPTIONS, turns: flags.turns, concurrency: flags.concurrency, seed: flags.seed, assistantMaxTokens: flags.maxTokens, askerMaxTokens: flags.queryMaxTokens, askerTemperature: flags.askerTemperature };
    // The rollouts are `parrot collect`'s own item (collectTask: filters, a seed over the context skipped).
    const rollResult = await execute(
      { ...collectTask({ mode: flags.simulator, opts: collectOpts, counters: newCollectCounters() }), ...rolloutTask },
      rollPlan,
      {
        output: roll,
        models: [
          { spec: flags.assistant, flag: "assistant" },
          { spec: flags.asker, flag: "asker" },
        ],
        concurrency: flags.concurrency,
        requestTimeout: flags.requestTimeout,
        parallel: Math.min(flags.concurrency, os.availableParallelism() * 4),
        modelLineIndent: "  ",
      },
    );
    incomplete ??= rollResult.report();
    if (!incomplete) {
      const collected = [...iterateExistingOutput(rollFile)].map((r) => r.value as Session);
      const wanted = new Set(rolloutSeeds.map((s) => s.id));
      const mine = collected.filter((s) => wanted.has(String((s.meta?.seed as { id?: unknown })?.id)));
      const byId = new Map(sessions.map((s) => [s.id, s]));
      const realCut = rolloutSeeds.map((s) => byId.get(s.id)).filter((s): s is Session => !!s).map((s) => ({ messages: cutToTurns(s.messages, flags.turns), meta: {} }));
      const realWords = realCut.flatMap((s) => [...userTurns(s, { from: 2 })].map((t) => wordCount(t.query)));
      rollouts = {
        assistant: flags.assistant,
        k: rolloutK,
        turns: flags.turns,
        summary: summarizeSessions(mine, realWords, flags.seed),
        reference: summarizeSessions(realCut, realWords, flags.seed),
      };
    }
  }
  if (incomplete) throw incomplete;

  const rows = [...iterateExistingOutput(nextFile)].map((r) => r.value as NextQueryRow);
  const row: SimulatorRow = {
    label,
    simulator: flags.simulator,
    model: flags.asker,
    held_out: { file: path.resolve(flags.sessions), digest, sessions: sessions.length, items_available: allItems.length, limit: flags.limit ?? null, seed: flags.seed },
    settings_digest: settingsDigest,
    next_query: summarizeNextQueries(items, rows, flags.seed),
    ...(rollouts && { rollouts }),
    created: new Date().toISOString(),
  };
  fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
  const table = openResumable<SimulatorRow>(flags.out, (r) => r.label, { inputs });
  try {
    if (table.done.has(label)) throw new UserError(`${flags.out}: label "${label}" was added by another run meanwhile; choose another --label`);
    table.appender.append(row);
  } finally {
    table.appender.close();
  }
  log(`parrot simulator eval: "${label}" appended to ${flags.out}`);
}
