/**
 * What every model-calling command gets from src/run/output.ts (issue 12, items 2, 3, 11, 13): a run manifest that
 * refuses a rerun with other settings, an exclusive lock on the output, `--out` refused when it is an input, and
 * the output path checked before the first model call, with one clear line for every file-system error.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCli as runBinary, runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, defaultHandler, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { writeJsonl } from "./support/jsonl.js";
import { diffSettings } from "../src/run/manifest.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const MT_QUESTIONS = path.join(SHARED, "data/mt_bench/question.jsonl");
const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const tmp = () => tempDir("parrot-outsafe-");
const lines = (f: string) => fs.readFileSync(f, "utf8").split("\n").filter(Boolean);

function collectArgs(spec: string, out: string, extra: string[] = []): string[] {
  return ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "3", "--out", out, "--concurrency", "2", ...extra];
}

/** One clean line, exit 1, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string }, text: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(STACK_RE);
  expect(r.stderr).not.toContain("internal error");
}

describe("run manifest (item 2)", () => {
  it("collect: a rerun with another --turns, model or seeds file is refused naming each difference; concurrency may differ", async () => {
    server = await servers.start();
    const spec = `${server.url}#fake`;
    const dir = tmp();
    const out = path.join(dir, "s.jsonl");
    const first = await runCli(collectArgs(spec, out));
    expect(first.code, first.stderr).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(`${out}.manifest.json`, "utf8"));
    expect(manifest).toMatchObject({ parrot_manifest: 1, command: "collect", runs: 1, settings: { simulator: "parrot-ask", turns: 2, models: { asker: spec, assistant: spec } } });
    expect(manifest.settings.seeds.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.settings.prompt_version).toBeTypeOf("string");
    const before = fs.readFileSync(out, "utf8");
    const requests = server.requests.length;

    const turns = await runCli([...collectArgs(spec, out), "--turns", "3"]);
    expectOneLineError(turns, /turns: 2 in the manifest, 3 now/);
    const other = await runCli(collectArgs(`${server.url}#other`, out));
    expectOneLineError(other, /models\.asker: .*#fake" in the manifest, .*#other" now; models\.assistant:/);
    const seeds2 = path.join(dir, "seeds2.jsonl");
    writeJsonl(seeds2, [0, 1, 2].map((i) => ({ id: `q${i}`, conversations: [{ from: "human", value: `Tell me something new about topic number ${i} please` }, { from: "gpt", value: "ok" }] })));
    const seeds = await runCli(collectArgs(spec, out).map((a) => (a === SEEDS ? seeds2 : a)));
    expectOneLineError(seeds, /seeds\.digest: /);
    const sim = await runCli([...collectArgs(spec, out), "--simulator", "prompted"]);
    expectOneLineError(sim, /simulator: "parrot-ask" in the manifest, "prompted" now/);
    expect(fs.readFileSync(out, "utf8")).toBe(before);
    expect(server.requests.length).toBe(requests);

    // Settings that do not change rows may differ: the rerun resumes (nothing left to do).
    const same = await runCli([...collectArgs(spec, out), "--concurrency", "5", "--request-timeout", "30", "--shard", "0/1"]);
    expect(same.code, same.stderr).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(before);
  });

  it("bench judge: another --judge is refused; judging a further answer file extends the run", async () => {
    server = await servers.start(() => chatReply("Good answer. Rating: [[7]]"));
    const dir = tmp();
    const q = path.join(dir, "q.jsonl");
    const all = lines(MT_QUESTIONS).map((l) => JSON.parse(l));
    writeJsonl(q, all.filter((x) => x.category === "writing").slice(0, 2));
    const answers = (model: string) => {
      const f = path.join(dir, `${model}.jsonl`);
      writeJsonl(f, all.filter((x) => x.category === "writing").slice(0, 2).map((x) => ({ question_id: x.question_id, model_id: model, choices: [{ index: 0, turns: ["A one.", "A two."] }] })));
      return f;
    };
    const a = answers("m-a");
    const b = answers("m-b");
    const out = path.join(dir, "j.jsonl");
    const prompts = path.join(SHARED, "data/mt_bench/judge_prompts.jsonl");
    const judge = (spec: string, files: string[]) => ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", prompts, "--answers", ...files, "--judge", spec, "--out", out];
    const r1 = await runCli(judge(`${server.url}#judge-a`, [a]));
    expect(r1.code, r1.stderr).toBe(0);
    expect(lines(out)).toHaveLength(4);
    const r2 = await runCli(judge(`${server.url}#judge-b`, [a]));
    expectOneLineError(r2, /judge: .*#judge-a" in the manifest, .*#judge-b" now/);
    const r3 = await runCli(judge(`${server.url}#judge-a`, [a, b]));
    expect(r3.code, r3.stderr).toBe(0);
    expect(lines(out)).toHaveLength(8);
    const m = JSON.parse(fs.readFileSync(`${out}.manifest.json`, "utf8"));
    expect(Object.keys(m.settings.answers).sort()).toEqual(["m-a", "m-b"]);
    expect(m.runs).toBe(2);
    // A changed answer file of a model already judged is a difference.
    fs.writeFileSync(b, fs.readFileSync(b, "utf8").replace(/A one\./g, "B one."));
    const r4 = await runCli(judge(`${server.url}#judge-a`, [a, b]));
    expectOneLineError(r4, /answers\.m-b: /);
  });

  it("diffSettings compares nested keys and, for growing maps, only the shared keys", () => {
    expect(diffSettings({ a: 1, m: { x: "1" }, g: { k: "1" } }, { a: 2, m: { x: "1", y: 2 }, g: { k: "1", new: "2" } }, ["g"])).toEqual([
      "a: 1 in the manifest, 2 now",
      "m.y: unset in the manifest, 2 now",
    ]);
    expect(diffSettings({ g: { k: "1" } }, { g: { k: "2" } }, ["g"])).toEqual(['g.k: "1" in the manifest, "2" now']);
  });
});

describe("output lock (item 3)", () => {
  it("a second process on the same --out exits 1 at once naming the first one's PID; the lock goes with the run", async () => {
    server = await servers.start((req, i) => ({ ...defaultHandler(req, i), delayMs: 1500 }));
    const spec = `${server.url}#fake`;
    const out = path.join(tmp(), "s.jsonl");
    const first = runCli(collectArgs(spec, out, ["--limit", "2"]));
    for (let i = 0; i < 200 && !fs.existsSync(`${out}.lock`); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(`${out}.lock`)).toBe(true);
    const t0 = Date.now();
    const second = await runBinary(collectArgs(spec, out, ["--limit", "2"]));
    expect(Date.now() - t0).toBeLessThan(5000);
    expectOneLineError(second, new RegExp(`is being written by another parrot process \\(PID ${process.pid}\\b`));
    const r = await first;
    expect(r.code, r.stderr).toBe(0);
    expect(lines(out)).toHaveLength(2);
    expect(new Set(lines(out).map((l) => JSON.parse(l).id)).size).toBe(2);
    expect(fs.existsSync(`${out}.lock`)).toBe(false);
  });

  it("a stale lock (its process is gone) is taken over with a note", async () => {
    server = await servers.start();
    const out = path.join(tmp(), "s.jsonl");
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("close", r));
    fs.writeFileSync(`${out}.lock`, JSON.stringify({ pid: dead.pid, host: os.hostname(), command: "parrot collect", started: "2024-01-01T00:00:00Z" }));
    const r = await runCli(collectArgs(`${server.url}#fake`, out, ["--limit", "1"]));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`taking over the stale lock ${out}.lock (PID ${dead.pid} is not running`);
    expect(lines(out)).toHaveLength(1);
    expect(fs.existsSync(`${out}.lock`)).toBe(false);
  });
});

describe("--out equal to an input (item 11)", () => {
  it("collect, context detect (both modes), capo, bench answer and export refuse it before anything is written", async () => {
    server = await servers.start();
    const spec = `${server.url}#fake`;
    const dir = tmp();
    const seeds = path.join(dir, "seeds.jsonl");
    fs.copyFileSync(SEEDS, seeds);
    const link = path.join(dir, "link.jsonl");
    fs.symlinkSync(seeds, link);
    const hard = path.join(dir, "hard.jsonl");
    fs.linkSync(seeds, hard);
    const original = fs.readFileSync(seeds, "utf8");
    const sessions = path.join(dir, "sessions.jsonl");
    writeJsonl(sessions, [{ id: "s1", messages: [
      { role: "user", content: "Tell me about volcanoes in a few sentences." },
      { role: "assistant", content: "Volcanoes are openings in the crust." },
      { role: "user", content: "Can you explain that in more detail?" },
      { role: "assistant", content: "Sure, in more detail." },
    ], meta: {} }]);
    const sessionsText = fs.readFileSync(sessions, "utf8");
    const cases: Array<[string, string[], string]> = [
      ["collect, same path", ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "1", "--out", seeds], "--seeds"],
      ["collect, symlink", ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "1", "--out", link], "--seeds"],
      ["collect, hard link", ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "1", "--out", hard], "--seeds"],
      ["context detect", ["context", "detect", sessions, "--out", sessions], "sessions"],
      ["context detect --judge", ["context", "detect", sessions, "--judge", spec, "--out", sessions], "sessions"],
      ["capo", ["capo", sessions, "--assistant", spec, "--out", `${dir}/../${path.basename(dir)}/sessions.jsonl`], "sessions"],
      ["export", ["export", "sft-chat", sessions, "--format", "trl", "--out", sessions], "sessions"],
    ];
    for (const [label, args, flag] of cases) {
      const r = await runCli(args);
      expect(r.code, `${label}: ${r.stderr}`).toBe(1);
      expect(r.stderr, label).toMatch(new RegExp(`--out \\S+ is the same file as the input ${flag} `));
      expect(r.stderr, label).not.toMatch(STACK_RE);
    }
    expect(fs.readFileSync(seeds, "utf8")).toBe(original);
    expect(fs.readFileSync(sessions, "utf8")).toBe(sessionsText);
    expect(fs.existsSync(`${seeds}.manifest.json`) || fs.existsSync(`${sessions}.manifest.json`)).toBe(false);
    expect(server.requests).toHaveLength(0);
    const q = path.join(dir, "q.jsonl");
    fs.copyFileSync(MT_QUESTIONS, q);
    const qText = fs.readFileSync(q, "utf8");
    const ans = await runCli(["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", spec, "--out", q]);
    expect(ans.code, ans.stderr).toBe(1);
    expect(ans.stderr).toMatch(/--out \S+ is the same file as the input --questions /);
    expect(fs.readFileSync(q, "utf8")).toBe(qText);
    expect(server.requests).toHaveLength(0);
  });
});

describe("unwritable --out (item 13)", () => {
  it("a path under a regular file or a directory: one line, exit 1, no model request", async () => {
    server = await servers.start();
    const spec = `${server.url}#fake`;
    const dir = tmp();
    const file = path.join(dir, "plain.txt");
    fs.writeFileSync(file, "x");
    const under = await runCli(collectArgs(spec, path.join(file, "out.jsonl")));
    expectOneLineError(under, /plain\.txt\/out\.jsonl: .*a part of the path is a file, not a folder \(ENOTDIR\)/);
    const isDir = await runCli(collectArgs(spec, dir));
    expectOneLineError(isDir, /is a directory, expected a file for the output/);
    const judged = await runCli(["context", "detect", SEEDS, "--judge", spec, "--out", path.join(file, "x.jsonl")]);
    expectOneLineError(judged, /x\.jsonl: .*\(ENOTDIR\)/);
    expect(server.requests).toHaveLength(0);
    expect(under.stderr.trim().split("\n").filter((l) => l.startsWith("parrot: error:"))).toHaveLength(1);
  });

  it("no space left mid-run (ENOSPC): one line saying what was kept and to rerun, exit 1", async () => {
    server = await servers.start();
    const dir = tmp();
    const out = path.join(dir, "full.jsonl");
    fs.symlinkSync("/dev/full", out);
    const r = await runCli(collectArgs(`${server.url}#fake`, out, ["--limit", "2"]));
    expectOneLineError(r, /full\.jsonl: cannot append to the output \(0 rows written by this run are kept, whole rows only; fix that and rerun the same command to resume\): no space left on device \(ENOSPC\)/);
  });
});
