/**
 * `parrot simulator eval|show` end to end against the fake OpenAI server: the next-query part with ppl from
 * echo + logprobs, rollouts with an assistant, the summary row and the table (real users first), resume after
 * failed items (exit 3, a rerun asks only for the missing ones), a finished rerun, a label with other settings,
 * and "not available" perplexity for the prompted format over HTTP. One run on the smoke GGUF (local engine).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { chatReply, completionReply, defaultHandler, type FakeHandler, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { runCliInProcess as runCli } from "./support/cli.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { tempDir } from "./support/tmp.js";
import { SIM_SESSIONS as SESSIONS } from "./support/report-fixtures.js";


/** Completions with echo get prompt logprobs: -1 per " word" token after the prompt (offsets by word). */
const scoringHandler: FakeHandler = (req, n) => {
  if (req.path.endsWith("/completions") && !req.path.endsWith("/chat/completions") && req.body?.echo) {
    const text = String(req.body.prompt);
    const tokens = text.match(/\s*\S+/g) ?? [];
    const offsets: number[] = [];
    let at = 0;
    for (const t of tokens) {
      offsets.push(at);
      at += t.length;
    }
    const r = completionReply(text + "x", tokens.length, 1);
    (r.json as any).choices[0].logprobs = { tokens: [...tokens, "x"], token_logprobs: [null, ...tokens.slice(1).map(() => -1), -5], text_offset: [...offsets, at] };
    return r;
  }
  return defaultHandler(req, n);
};

const servers = fakeServerPerTest();
let server: FakeServer | undefined;

function setup() {
  const dir = tempDir();
  const file = path.join(dir, "heldout.jsonl");
  fs.writeFileSync(file, SESSIONS.map((s) => JSON.stringify(s)).join("\n") + "\n");
  return { dir, file, out: path.join(dir, "sim.jsonl") };
}
const env = { PARROT_BACKOFF_BASE_MS: "1" };

describe("parrot simulator eval (fake OpenAI server)", () => {
  it("scores parrot-ask on real history and rollouts, appends one row, shows real users first; reruns are no-ops", async () => {
    server = await servers.start(scoringHandler);
    const { file, out } = setup();
    const args = ["simulator", "eval", "--sessions", file, "--simulator", "parrot-ask", "--asker", `${server.url}#ask`, "--label", "ask",
      "--assistant", `${server.url}#chat`, "--rollouts", "2", "--turns", "3", "--out", out, "--concurrency", "2"];
    const r = await runCli(args, { env });
    expect(r.stderr).toContain('"ask" appended');
    expect(r.code).toBe(0);
    const rows = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.label).toBe("ask");
    expect(row.next_query.counts.items).toBe(3);
    // Each real query scored: " Who was their coach?" = 4 word tokens at -1 each -> ppl e.
    expect(row.next_query.metrics.ppl_real).toBeCloseTo(Math.E, 6);
    expect(row.next_query.counts.ppl_scored).toBe(3);
    expect(row.next_query.reference.rouge_l_to_real).toBe(1);
    expect(row.rollouts.summary.stats.sessions).toBe(2);
    expect(row.rollouts.summary.stats.avg_turns).toBe(3);
    expect(row.rollouts.reference.stats.avg_turns).toBe(2.5);
    const items = fs.readFileSync(path.join(`${out}.runs`, "ask.next.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(items.map((i) => i.key).sort()).toEqual(["a/2", "a/3", "b/2"]);
    expect(items.every((i) => i.generated.length > 0 && i.ppl.tokens > 0)).toBe(true);
    const show = await runCli(["simulator", "show", out]);
    const lines = show.stdout.split("\n");
    const realLine = lines.findIndex((l) => l.startsWith("real users"));
    const askLine = lines.findIndex((l) => l.startsWith("ask "));
    expect(realLine).toBeGreaterThan(0);
    expect(askLine).toBeGreaterThan(realLine);
    expect(show.stdout).toContain("rollouts:");
    const before = server.requests.length;
    const again = await runCli(args, { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already in");
    expect(server.requests.length).toBe(before);
    const other = await runCli([...args, "--seed", "5"], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('label "ask" is already there with other settings');
  });

  it("resumes: failed items exit 3 with no summary row; the rerun asks only for those and appends the row", async () => {
    let fail = true;
    server = await servers.start((req, n) => (fail && String(req.body?.prompt ?? "").includes("wrap a present") ? { status: 503, json: { error: { message: "busy" } } } : scoringHandler(req, n)));
    const { file, out } = setup();
    const args = ["simulator", "eval", "--sessions", file, "--asker", `${server.url}#ask`, "--label", "ask", "--out", out];
    const r = await runCli(args, { env });
    expect(r.code).toBe(3);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readFileSync(path.join(`${out}.runs`, "ask.next.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    fail = false;
    const first = server.requests.length;
    const r2 = await runCli(args, { env });
    expect(r2.code).toBe(0);
    // One item left: one generation + one scoring request.
    expect(server.requests.length - first).toBe(2);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).next_query.counts.items).toBe(3);
  });

  it("an item whose history is over the simulator's context is recorded and left out, not a failed run", async () => {
    server = await servers.start((req, n) =>
      String(req.body?.prompt ?? "").includes("wrap a present")
        ? { status: 400, json: { error: { message: "This model's maximum context length is 10 tokens", code: "context_length_exceeded" } } }
        : scoringHandler(req, n),
    );
    const { file, out } = setup();
    const r = await runCli(["simulator", "eval", "--sessions", file, "--asker", `${server.url}#ask`, "--label", "ask", "--out", out], { env });
    expect(r.code, r.stderr).toBe(0);
    const row = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(row.next_query.counts.items).toBe(2);
    expect(row.next_query.counts.skipped).toEqual({ "context-length": 1 });
  });

  it("prompted over HTTP: perplexity reported as not available, other metrics computed", async () => {
    server = await servers.start((req, n) => (req.path.endsWith("/chat/completions") ? chatReply("what about the second one?") : defaultHandler(req, n)));
    const { file, out } = setup();
    const r = await runCli(["simulator", "eval", "--sessions", file, "--simulator", "prompted", "--asker", `${server.url}#chat`, "--out", out], { env });
    expect(r.code).toBe(0);
    const row = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(row.label).toBe("prompted-chat");
    expect(row.next_query.metrics.ppl_real).toBeNull();
    expect(row.next_query.ppl_note).toMatch(/not-available/);
    expect(row.next_query.metrics.question_rate).toBe(1);
    expect((await runCli(["simulator", "show", out])).stdout).toContain("ppl_real not-available");
  });

  it("refuses bad input before writing anything", async () => {
    const { dir, out } = setup();
    const only = path.join(dir, "one.jsonl");
    fs.writeFileSync(only, JSON.stringify({ id: "x", conversations: [{ from: "human", value: "hi there friend" }] }) + "\n");
    const r = await runCli(["simulator", "eval", "--sessions", only, "--asker", "http://127.0.0.1:9/v1#x", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no user turn >= 2");
    const bad = await runCli(["simulator", "eval", "--sessions", only, "--label", "a/b", "--out", out]);
    expect(bad.stderr).toContain('--label "a/b"');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("parrot simulator eval on the local engine (smoke GGUF)", () => {
  it("parrot-ask and prompted both get a perplexity from the in-process engine", async () => {
    const { file, out } = setup();
    const spec = `gguf:${getSmokeModelPath()}`;
    for (const sim of ["parrot-ask", "prompted"]) {
      const r = await runCli(["simulator", "eval", "--sessions", file, "--simulator", sim, "--asker", spec, "--label", sim, "--limit", "2", "--query-max-tokens", "8", "--out", out]);
      expect(r.code, r.stderr).toBe(0);
    }
    const rows = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.label)).toEqual(["parrot-ask", "prompted"]);
    for (const row of rows) {
      expect(row.next_query.metrics.n).toBe(2);
      // A random-weight model over a 49k vocabulary: perplexity in the thousands, finite.
      expect(row.next_query.metrics.ppl_real).toBeGreaterThan(100);
      expect(Number.isFinite(row.next_query.metrics.ppl_real)).toBe(true);
    }
  }, 180_000);
});
