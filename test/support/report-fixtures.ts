/**
 * Small inputs for the report's Simulators, Training and Cost views, written in the documented formats:
 * - `simulatorFixture(dir)`: a held-out ShareGPT file, a `parrot simulator eval` table of two simulators (rows built
 *   with the eval's own summarizeNextQueries over hand-written next-query rows), their run files
 *   `TABLE.runs/LABEL.next.jsonl`, and a run manifest with token counts for one of them;
 * - `trainingFixture(dir)`: `parrot train --out` folders of an SFT run (ask) and a DPO run (capo), with
 *   metrics.jsonl and train_summary.json as python/parrot_train.py writes them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCliInProcess, type CliResult } from "./cli.js";
import { nextQueryItems, summarizeNextQueries } from "../../src/simulator/eval.js";
import { digestValues } from "../../src/run/manifest.js";
import { readConversations } from "../../src/conversations/readers.js";
import type { NextQueryRow, SimulatorRow } from "../../src/records/simulator.js";

export const SIM_SESSIONS = [
  { id: "a", conversations: [
    { from: "human", value: "Who won the 2018 World Cup?" }, { from: "gpt", value: "France won it, beating Croatia 4-2." },
    { from: "human", value: "Who was their coach?" }, { from: "gpt", value: "Didier Deschamps." },
    { from: "human", value: "And in 2014?" }, { from: "gpt", value: "Germany, coached by Joachim Loew." } ] },
  { id: "b", conversations: [
    { from: "human", value: "How do I wrap a present neatly?" }, { from: "gpt", value: "Measure the paper, fold the edges, tape them." },
    { from: "human", value: "Can you give me a more detailed step by step process?" }, { from: "gpt", value: "1. Measure. 2. Cut. 3. Fold." } ] },
];

/** Generated queries per label and item key; `ask` has no query for b/2 (so two items are shared). */
export const SIM_QUERIES: Record<string, Record<string, string>> = {
  ask: { "a/2": "who coached them?", "a/3": "what about 2014?" },
  prompted: { "a/2": "Thank you! Could you tell me more about the coach of the team?", "a/3": "Interesting. <b>And</b> the previous one?", "b/2": "Great, thanks!" },
};

export interface SimulatorFixture {
  heldOut: string;
  table: string;
  rows: SimulatorRow[];
}

/** Write the simulator fixture into `dir` (see the module comment). */
export function simulatorFixture(dir: string): SimulatorFixture {
  const heldOut = path.join(dir, "heldout.jsonl");
  fs.writeFileSync(heldOut, SIM_SESSIONS.map((s) => JSON.stringify(s)).join("\n") + "\n");
  const sessions = readConversations(heldOut);
  const items = nextQueryItems(sessions);
  const digest = digestValues(items.map((i) => [i.key, i.history, i.real]));
  const table = path.join(dir, "sim.jsonl");
  fs.mkdirSync(`${table}.runs`, { recursive: true });
  const rows = Object.entries(SIM_QUERIES).map(([label, queries], li): SimulatorRow => {
    const next: NextQueryRow[] = items.filter((it) => queries[it.key] !== undefined).map((it) => ({
      key: it.key, session_id: it.session_id, turn: it.turn, real: it.real, generated: queries[it.key], ppl: { tokens: 5, logprobSum: -5 - li }, tokens: 7,
    }));
    const runFile = path.join(`${table}.runs`, `${label}.next.jsonl`);
    fs.writeFileSync(runFile, next.map((r) => JSON.stringify(r)).join("\n") + "\n");
    return {
      label,
      simulator: label === "ask" ? "parrot-ask" : "prompted",
      model: `http://127.0.0.1:1/v1#${label}`,
      held_out: { file: heldOut, digest, sessions: sessions.length, items_available: items.length, limit: null, seed: 0 },
      settings_digest: "d".repeat(64),
      next_query: summarizeNextQueries(items, next),
      created: "2026-01-01T00:00:00.000Z",
    };
  });
  fs.writeFileSync(table, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const counts = (requests: number, p: number, c: number) => ({ requests, prompt_tokens: p, completion_tokens: c });
  const breakdown = (p: number, c: number) => ({ total: counts(3, p, c), by_role: { asker: counts(3, p, c) }, by_model: { "http://127.0.0.1:1/v1#prompted": counts(3, p, c) }, by_stage: { query: counts(3, p, c) }, by_turn: {} });
  fs.writeFileSync(
    path.join(`${table}.runs`, "prompted.next.jsonl.manifest.json"),
    JSON.stringify({ parrot_manifest: 1, command: "simulator eval", run_id: "00000000", settings: {}, created: "x", updated: "x", runs: 1, usage: { written: breakdown(3000, 600), unwritten: breakdown(1000, 0), runs: [] } }, null, 2),
  );
  return { heldOut, table, rows };
}

/** Write an `ask` SFT folder and a `capo` DPO folder into `dir`; returns their paths. */
export function trainingFixture(dir: string): { ask: string; capo: string } {
  const ask = path.join(dir, "ask");
  const capo = path.join(dir, "capo");
  fs.mkdirSync(ask, { recursive: true });
  fs.mkdirSync(capo, { recursive: true });
  const sft = [3.35, 2.55, 1.89, 1.3, 0.93].map((loss, i) => ({ step: i + 1, loss, learning_rate: 3e-5, grad_norm: 19 - i, epoch: i + 1, tokens: 148 * (i + 1), elapsed_s: 110 * (i + 1) }));
  fs.writeFileSync(path.join(ask, "metrics.jsonl"), sft.map((r) => JSON.stringify(r)).join("\n") + "\n");
  fs.writeFileSync(path.join(ask, "train_summary.json"), JSON.stringify({ kind: "ask", steps: 5, train_loss: 2.0, train_s: 550.5, tokens: 740, tokens_per_s: 1.34, device: "cpu" }, null, 2));
  const dpo = [0.6931, 0.232, 0.0994].map((loss, i) => ({ step: i + 1, loss, learning_rate: 1e-5, grad_norm: 28 - i, epoch: i + 1, "rewards/chosen": i * 0.5, "rewards/rejected": -i * 0.6, "rewards/accuracies": i ? 1 : 0, "rewards/margins": i * 1.1, "logps/chosen": -48, "logps/rejected": -65, tokens: 768 * (i + 1), elapsed_s: 400 * (i + 1) }));
  fs.writeFileSync(path.join(capo, "metrics.jsonl"), dpo.map((r) => JSON.stringify(r)).join("\n") + "\n");
  fs.writeFileSync(path.join(capo, "train_summary.json"), JSON.stringify({ kind: "capo", steps: 3, train_loss: 0.34, train_s: 1038.3, tokens: 2304, tokens_per_s: 2.22, device: "cpu" }, null, 2));
  return { ask, capo };
}

/**
 * `parrot report --simulators --training --prices` on the fixtures: a simulator table, two training runs (ask and
 * capo) and a price table for the `prompted` model; returns the fixtures, the report folder and the CLI result.
 */
export async function reportWithAllViews(dir: string): Promise<{ fx: ReturnType<typeof simulatorFixture>; ask: string; capo: string; prices: string; out: string; result: CliResult }> {
  const fx = simulatorFixture(dir);
  const { ask, capo } = trainingFixture(dir);
  const prices = path.join(dir, "prices.json");
  fs.writeFileSync(prices, JSON.stringify({ models: { prompted: { input: 1, output: 2 } } }));
  const out = path.join(dir, "report");
  const result = await runCliInProcess(["report", "--simulators", fx.table, "--training", ask, capo, "--prices", prices, "--out", out]);
  return { fx, ask, capo, prices, out, result };
}
