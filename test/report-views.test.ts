/**
 * The report's Simulators (issue 14), Training (issue 13) and Cost (issue 15) views without a browser: the data built
 * from small fixtures in the documented formats (test/support/report-fixtures.ts), `simulator show`'s cells reused,
 * `parrot view`'s sorting of simulator tables and training folders, the cost through usage.ts, and `parrot report`
 * on bad training input (one line naming file, line and field; exit 1; nothing written).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReportData, costView, HISTORY_SHOWN, simulatorViews, trainingViews } from "../src/report/data.js";
import { classifyPaths, loadInputs, loadSimulators, loadTraining } from "../src/report/inputs.js";
import { parsePrices } from "../src/run/prices.js";
import { costOf, fmtMoney, readManifestUsage } from "../src/run/usage.js";
import { formatSimulatorTable, nextQueryCells } from "../src/simulator/show.js";
import { runCliInProcess as runCli } from "./support/cli.js";
import { reportWithAllViews, simulatorFixture, SIM_QUERIES, trainingFixture } from "./support/report-fixtures.js";
import { tempDir } from "./support/tmp.js";

const files = (over: Record<string, string[]>) => ({ judgments: [], answers: [], questions: [], references: [], sessions: [], pairs: [], ...over });

describe("Simulators view data", () => {
  it("simulator show's cells, real users first; the items every simulator answered, with history, real and generated queries", () => {
    const dir = tempDir();
    const fx = simulatorFixture(dir);
    const [g, ...more] = simulatorViews(loadSimulators(fx.table));
    expect(more).toEqual([]);
    expect(g.rows.map((r) => r[0])).toEqual(["real users", "ask", "prompted"]);
    expect(g.rows[1]).toEqual(nextQueryCells("ask", fx.rows[0].model, fx.rows[0].next_query.metrics));
    // The same cells `parrot simulator show` prints.
    const text = formatSimulatorTable(fx.rows);
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const row of g.rows) expect(text).toMatch(new RegExp(row.map(esc).join("\\s+")));
    expect(g.labels).toEqual(["ask", "prompted"]);
    expect(g.shared).toBe(2);
    expect(g.items.map((i) => i.key)).toEqual(["a/2", "a/3"]);
    const a3 = g.items[1];
    expect(a3.real).toBe("And in 2014?");
    expect(a3.generated).toEqual({ ask: SIM_QUERIES.ask["a/3"], prompted: SIM_QUERIES.prompted["a/3"] });
    expect(a3.history!.length).toBe(HISTORY_SHOWN);
    expect(a3.earlier).toBe(0);
    expect(a3.history!.map((m) => m.content)).toEqual(["Who won the 2018 World Cup?", "France won it, beating Croatia 4-2.", "Who was their coach?", "Didier Deschamps."]);
    expect(g.items[0].history!.length).toBe(2);
    expect(g.notes).toEqual([]);
  });

  it("a held-out file that is gone or changed: no history, a note; a missing run file: that simulator left out, a note", () => {
    const dir = tempDir();
    const fx = simulatorFixture(dir);
    fs.appendFileSync(fx.heldOut, JSON.stringify({ id: "c", conversations: [{ from: "human", value: "hi" }, { from: "gpt", value: "hello" }, { from: "human", value: "more" }] }) + "\n");
    let [g] = simulatorViews(loadSimulators(fx.table));
    expect(g.items.every((i) => i.history === null)).toBe(true);
    expect(g.notes.join(" ")).toMatch(/has changed since the evaluation/);
    fs.rmSync(fx.heldOut);
    fs.rmSync(path.join(`${fx.table}.runs`, "ask.next.jsonl"));
    [g] = simulatorViews(loadSimulators(fx.table));
    expect(g.labels).toEqual(["prompted"]);
    expect(g.items.map((i) => i.key)).toEqual(["a/2", "a/3", "b/2"]);
    expect(g.notes.join(" ")).toMatch(/ask: no run file .*ask\.next\.jsonl/);
    expect(g.notes.join(" ")).toMatch(/is not there: histories are not shown/);
    expect(g.rows.map((r) => r[0])).toEqual(["real users", "ask", "prompted"]);
  });

  it("a bad run-file row is an InputError naming file, line and field", () => {
    const dir = tempDir();
    const fx = simulatorFixture(dir);
    const run = path.join(`${fx.table}.runs`, "ask.next.jsonl");
    const lines = fs.readFileSync(run, "utf8").trim().split("\n");
    lines[1] = JSON.stringify({ ...JSON.parse(lines[1]), generated: 5 });
    fs.writeFileSync(run, lines.join("\n") + "\n");
    expect(() => loadSimulators(fx.table)).toThrow(/ask\.next\.jsonl:2: field "generated"/);
  });
});

describe("Training view data", () => {
  it("loss by step per run, DPO margins, the summary's numbers; labels are folder names", () => {
    const dir = tempDir();
    const { ask, capo } = trainingFixture(dir);
    const [a, c] = trainingViews([loadTraining(ask), loadTraining(capo)]);
    expect(a.label).toBe("ask");
    expect(a.kind).toBe("ask");
    expect(a.loss).toEqual([[1, 3.35], [2, 2.55], [3, 1.89], [4, 1.3], [5, 0.93]]);
    expect([a.lossFirst, a.lossLast]).toEqual([3.35, 0.93]);
    expect(a.margins).toBeNull();
    expect(a.summary).toEqual({ kind: "ask", steps: 5, train_s: 550.5, tokens: 740, tokens_per_s: 1.34, train_loss: 2.0, device: "cpu" });
    expect(c.margins).toEqual([[1, 0], [2, 1.1], [3, 2.2]]);
    // A run still training (no summary yet) is shown; two folders of one name get their parent's too.
    fs.rmSync(path.join(capo, "train_summary.json"));
    const other = path.join(dir, "again", "ask");
    fs.mkdirSync(other, { recursive: true });
    fs.copyFileSync(path.join(ask, "metrics.jsonl"), path.join(other, "metrics.jsonl"));
    const v = trainingViews([loadTraining(ask), loadTraining(capo), loadTraining(other)]);
    expect(v.map((r) => r.label)).toEqual([path.join(path.basename(dir), "ask"), "capo", path.join("again", "ask")]);
    expect(v[1].summary).toBeNull();
  });

  it("parrot view sorts a training folder (by its metrics.jsonl) and a simulator table by content", () => {
    const dir = tempDir();
    const { ask, capo } = trainingFixture(dir);
    const fx = simulatorFixture(dir);
    const { files: f } = classifyPaths([dir]);
    expect(f.training.sort()).toEqual([ask, capo].sort());
    expect(f.simulators).toEqual([fx.table]);
    expect(f.sessions).toContain(fx.heldOut);
  });

  it("bad training input: one line naming file, line and field; exit 1; nothing written", async () => {
    const dir = tempDir();
    const { ask } = trainingFixture(dir);
    const out = path.join(dir, "out");
    const metrics = path.join(ask, "metrics.jsonl");
    const good = fs.readFileSync(metrics, "utf8");
    fs.writeFileSync(metrics, good + "{not json\n");
    let r = await runCli(["report", "--training", ask, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^parrot: error: ${metrics.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6: not valid JSON`));
    expect(r.stderr.trim().split("\n").length).toBe(1);
    fs.writeFileSync(metrics, good.replace('"loss":1.3', '"loss":"high"'));
    r = await runCli(["report", "--training", ask, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/metrics\.jsonl:4: field "loss"/);
    fs.rmSync(metrics);
    r = await runCli(["report", "--training", ask, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ask[\\/]metrics\.jsonl: missing/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("Cost view data", () => {
  it("tokens by role from the manifests beside the inputs; cost through usage.ts costOf with --prices", () => {
    const dir = tempDir();
    const fx = simulatorFixture(dir);
    // A collect output with its manifest: asker and assistant calls, written and unwritten.
    const sessions = path.join(dir, "collected.jsonl");
    fs.writeFileSync(sessions, JSON.stringify({ id: "s1", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] }) + "\n");
    const c = (requests: number, p: number, k: number) => ({ requests, prompt_tokens: p, completion_tokens: k });
    const usage = {
      written: { total: c(4, 2000, 800), by_role: { asker: c(2, 500, 100), assistant: c(2, 1500, 700) }, by_model: { "openai:gpt-4o-mini": c(2, 1500, 700), "http://h/v1#ask": c(2, 500, 100) }, by_stage: {}, by_turn: {} },
      unwritten: { total: c(1, 100, 0), by_role: { assistant: c(1, 100, 0) }, by_model: { "openai:gpt-4o-mini": c(1, 100, 0) }, by_stage: {}, by_turn: {} },
      runs: [],
    };
    fs.writeFileSync(`${sessions}.manifest.json`, JSON.stringify({ parrot_manifest: 1, command: "collect", run_id: "1", settings: {}, created: "x", updated: "x", runs: 1, usage }));
    const inputs = loadInputs(files({ sessions: [sessions], simulators: [fx.table] }));
    const prices = parsePrices(JSON.stringify({ currency: "EUR", models: { "gpt-4o-mini": { input: 0.15, output: 0.6 }, prompted: { input: 1, output: 2 } } }), "prices.json");

    const plain = costView(inputs.manifests!)!;
    expect(plain.currency).toBeNull();
    expect(plain.files.map((f) => [path.basename(f.file), f.command])).toEqual([["collected.jsonl", "collect"], ["prompted.next.jsonl", "simulator eval"]]);
    const col = plain.files[0];
    expect(col.roles).toEqual([{ role: "asker", ...c(2, 500, 100) }, { role: "assistant", ...c(3, 1600, 700) }]);
    expect(col.total).toEqual(c(5, 2100, 800));
    expect(col.unwritten).toBe(100);
    expect(col.cost).toBeNull();
    expect(plain.total).toEqual(c(11, 2100 + 4000, 800 + 600));

    const priced = costView(inputs.manifests!, prices)!;
    const want = costOf({ total: c(0, 0, 0), by_role: {}, by_model: { "openai:gpt-4o-mini": c(3, 1600, 700), "http://h/v1#ask": c(2, 500, 100) }, by_stage: {}, by_turn: {} }, prices);
    expect(priced.files[0].cost).toBe(fmtMoney(want.amount, "EUR"));
    expect(priced.files[0].cost).toBe(fmtMoney((1600 * 0.15 + 700 * 0.6) / 1e6, "EUR"));
    expect(priced.files[0].unpriced).toEqual(["http://h/v1#ask"]);
    expect(priced.files[1].cost).toBe(fmtMoney((4000 * 1 + 600 * 2) / 1e6, "EUR"));
    expect(priced.totalCost).toBe(fmtMoney((1600 * 0.15 + 700 * 0.6 + 4000 + 1200) / 1e6, "EUR"));
    expect(readManifestUsage(usage).written.total.requests).toBe(4);

    const data = buildReportData(inputs, { prices });
    expect(data.cost!.totalCost).toBe(priced.totalCost);
    expect(data.simulators.length).toBe(1);
    expect(data.training).toEqual([]);
    // Without a manifest beside any input there is no Cost view.
    expect(buildReportData(loadInputs(files({ sessions: [fx.heldOut] }))).cost).toBeNull();
  });

  it("parrot report --simulators --training --prices writes one page with the three views' data", async () => {
    const dir = tempDir();
    const { ask, out, result: r } = await reportWithAllViews(dir);
    expect(r.stderr).toMatch(/2 simulators, 2 training runs, 4600 tokens in 1 run manifest\(s\) \(0\.005200 USD\)/);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(path.join(out, "index.html"), "utf8");
    const data = JSON.parse(html.match(/<script type="application\/json" id="parrot-data">(.*?)<\/script>/s)![1]);
    expect(data.simulators[0].labels).toEqual(["ask", "prompted"]);
    expect(data.training.map((t: { label: string }) => t.label)).toEqual(["ask", "capo"]);
    expect(data.cost.totalCost).toBe("0.005200 USD");
    const bad = await runCli(["report", "--training", ask, "--prices", path.join(dir, "nope.json"), "--out", path.join(dir, "r2")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("nope.json");
  });
});
