/**
 * API keys never leave the process except in the Authorization header: with PARROT_API_KEY / OPENAI_API_KEY set to
 * recognisable values, every model-calling command is run against a server that (a) succeeds, (b) fails with 500s
 * whose body echoes the key (logged as retries), (c) answers 401 echoing the key back. The key must appear in no
 * output file, no stdout, no stderr, and nothing under HOME / XDG_CACHE_HOME / PARROT_CACHE_DIR.
 *
 * The 30 runs go in this process through the CLI's own `main` (runCliInProcess, env applied for the run and restored);
 * a 401 and a 500 run through the real binary as well, so the fast path is known to agree with what a user sees.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCli, runCliInProcess } from "./support/cli.js";
import { chatReply, defaultHandler, startFakeOpenAI, type FakeRequest, type FakeServer } from "./support/fake-openai.js";
import { bodyKey } from "./support/faults.js";
import { writeJsonl } from "./support/jsonl.js";
import { tempDir } from "./support/tmp.js";

// One key-shaped (sk-...) and one that no pattern would catch: only the environment tells redaction about it.
const PARROT_KEY = "sk-parrotTEST-7c1f9e2a4b6d8f0a1c3e5";
const OPENAI_KEY = "zz-OPENAI-secret-value-4242-unshaped";
const KEY_PARTS = [PARROT_KEY, OPENAI_KEY, "7c1f9e2a4b6d8f0a1c3e5", "secret-value-4242"];
const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const MT = path.join(SHARED, "data/mt_bench");

type Mode = "ok" | "500-echo" | "401-echo";
let mode: Mode = "ok";
/** 500-echo mode: the first attempt of every distinct request fails with a body echoing the key. */
const failedOnce = new Set<string>();
const auth = (req: FakeRequest) => String(req.headers.authorization ?? "");
let server: FakeServer;
let home: string;
let work: string;
beforeAll(async () => {
  server = await startFakeOpenAI((req, i) => {
    const a = auth(req);
    if (mode === "401-echo") return { status: 401, json: { error: { message: `Incorrect API key provided: ${a.replace(/^Bearer /, "")}. Header was: ${a}`, type: "invalid_request_error", code: "invalid_api_key" } } };
    const k = bodyKey(req);
    if (mode === "500-echo" && !failedOnce.has(k) && failedOnce.add(k)) return { status: 500, json: { error: { message: `upstream failed for ${a}` } } };
    const text = JSON.stringify(req.body?.messages ?? "");
    if (text.includes("impartial judge")) return chatReply("Rating: [[8]]");
    if (text.includes("VERDICT")) return chatReply("VERDICT: DEPENDENT");
    return defaultHandler(req, i);
  });
  home = tempDir("parrot-secrets-home-");
  work = tempDir("parrot-secrets-work-");
});
afterAll(async () => {
  await server?.close();
});

function env(which: "parrot" | "openai"): Record<string, string> {
  return {
    PARROT_API_KEY: which === "parrot" ? PARROT_KEY : "",
    OPENAI_API_KEY: OPENAI_KEY,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, ".cache"),
    PARROT_CACHE_DIR: path.join(home, "parrot-cache"),
    PARROT_BACKOFF_BASE_MS: "1",
  };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function assertNoKey(where: string, text: string) {
  for (const k of KEY_PARTS) expect(text.includes(k), `${where} contains the key`).toBe(false);
}

function sessionsFile(): string {
  const f = path.join(work, "sessions.jsonl");
  writeJsonl(f, [
    {
      id: "s0",
      messages: [
        { role: "user", content: "Tell me about volcanoes in a few sentences." },
        { role: "assistant", content: "Volcanoes are openings in the crust." },
        { role: "user", content: "Can you explain the second point about it in more detail?" },
        { role: "assistant", content: "Sure, the second point means this." },
      ],
    },
  ]);
  return f;
}

describe("API keys never reach outputs, logs or caches", () => {
  it("every model-calling command, on success, 500s echoing the key, and 401 echoing the key", async () => {
    const q = path.join(work, "q.jsonl");
    writeJsonl(q, fs.readFileSync(path.join(MT, "question.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 3).map((l) => JSON.parse(l)));
    const answers = path.join(work, "answers-fixed.jsonl");
    writeJsonl(answers, [81, 82, 83].map((id) => ({ question_id: id, answer_id: `a${id}`, model_id: "m1", choices: [{ index: 0, turns: ["one", "two"] }], tstamp: 1 })));
    const sessions = sessionsFile();
    let n = 0;
    // Each run names its own model, so its requests can be told apart while runs go in parallel.
    const commands = (tag: string): Array<{ model: string; args: string[] }> => {
      const spec = (c: string) => `${server.url}#m-${c}-${tag}`;
      return [
        { model: `m-collect-${tag}`, args: ["collect", "--seeds", SEEDS, "--asker", spec("collect"), "--assistant", spec("collect"), "--turns", "2", "--limit", "3", "--out", path.join(work, `collect-${tag}.jsonl`)] },
        { model: `m-answer-${tag}`, args: ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", spec("answer"), "--out", path.join(work, `answers-${tag}.jsonl`)] },
        { model: `m-judge-${tag}`, args: ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--references", path.join(MT, "reference_answer_gpt-4.jsonl"), "--answers", answers, "--judge", spec("judge"), "--out", path.join(work, `judgments-${tag}.jsonl`)] },
        { model: `m-capo-${tag}`, args: ["capo", sessions, "--assistant", spec("capo"), "--out", path.join(work, `pairs-${tag}.jsonl`)] },
        { model: `m-ctx-${tag}`, args: ["context", "detect", sessions, "--judge", spec("ctx"), "--out", path.join(work, `ctx-${tag}.jsonl`)] },
      ];
    };
    const seen = new Set<string>();
    for (const m of ["ok", "500-echo", "401-echo"] as Mode[]) {
      mode = m;
      const runs = (["parrot", "openai"] as const).flatMap((which) => commands(`${m}-${which}`).map((c) => ({ ...c, which })));
      const results = [];
      for (const c of runs) results.push(await runCliInProcess(c.args, { env: env(c.which) }));
      for (const [i, { model, args, which }] of runs.entries()) {
        const r = results[i];
        n++;
        // The key was really sent (so the test can catch a leak).
        const sent = server.requests.filter((x) => x.body?.model === model).map(auth);
        expect(sent.length, `${args.slice(0, 2).join(" ")} sent nothing: ${r.stderr}`).toBeGreaterThan(0);
        expect(sent.every((a) => a === `Bearer ${which === "parrot" ? PARROT_KEY : OPENAI_KEY}`)).toBe(true);
        assertNoKey(`stdout of ${args.join(" ")}`, r.stdout);
        assertNoKey(`stderr of ${args.join(" ")}`, r.stderr);
        expect(r.stderr).not.toMatch(STACK_RE);
        if (m === "ok") expect(r.code, r.stderr).toBe(0);
        if (m === "500-echo") {
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).toMatch(/500/);
          seen.add("500-redacted:" + String(r.stderr.includes("[REDACTED]")));
        }
        if (m === "401-echo") {
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/401.*\[REDACTED\].*check PARROT_API_KEY or OPENAI_API_KEY/);
        }
      }
    }
    expect(n).toBe(30);
    expect(seen.has("500-redacted:true")).toBe(true);
    const files = [...filesUnder(work), ...filesUnder(home)];
    expect(files.filter((f) => f.includes("collect-ok")).length).toBeGreaterThan(0);
    for (const f of files) assertNoKey(f, fs.readFileSync(f, "latin1"));
    // The in-process runs left the test process's own environment as it was.
    expect(process.env.PARROT_API_KEY).not.toBe(PARROT_KEY);
    expect(process.env.OPENAI_API_KEY).not.toBe(OPENAI_KEY);
  });

  it("the real binary: a 401 echoing the key and a 500 echoing it are redacted, as in-process", async () => {
    const q = path.join(work, "q-real.jsonl");
    writeJsonl(q, fs.readFileSync(path.join(MT, "question.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 2).map((l) => JSON.parse(l)));
    const sessions = sessionsFile();
    const cases = [
      { mode: "401-echo" as Mode, model: "m-real-401", which: "parrot" as const, args: (spec: string, out: string) => ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", spec, "--out", out] },
      { mode: "500-echo" as Mode, model: "m-real-500", which: "openai" as const, args: (spec: string, out: string) => ["capo", sessions, "--assistant", spec, "--out", out] },
    ];
    for (const c of cases) {
      mode = c.mode;
      const real = await runCli(c.args(`${server.url}#${c.model}`, path.join(work, `real-${c.model}.jsonl`)), { env: env(c.which), timeoutMs: 60_000 });
      const inProcess = await runCliInProcess(c.args(`${server.url}#${c.model}-ip`, path.join(work, `ip-${c.model}.jsonl`)), { env: env(c.which) });
      for (const [how, r, model] of [["spawned", real, c.model], ["in-process", inProcess, `${c.model}-ip`]] as const) {
        const label = `${how} ${c.mode}`;
        const sent = server.requests.filter((x) => x.body?.model === model).map(auth);
        expect(sent.length, `${label} sent nothing: ${r.stderr}`).toBeGreaterThan(0);
        expect(sent.every((a) => a === `Bearer ${c.which === "parrot" ? PARROT_KEY : OPENAI_KEY}`), label).toBe(true);
        assertNoKey(`stdout of ${label}`, r.stdout);
        assertNoKey(`stderr of ${label}`, r.stderr);
        expect(r.stderr, label).not.toMatch(STACK_RE);
        if (c.mode === "401-echo") {
          expect(r.code, label).toBe(1);
          expect(r.stderr, label).toMatch(/401.*\[REDACTED\].*check PARROT_API_KEY or OPENAI_API_KEY/);
        } else {
          expect(r.code, `${label}: ${r.stderr}`).toBe(0);
          expect(r.stderr, label).toMatch(/500.*\[REDACTED\]/);
        }
      }
      // Same exit code and the same error line either way (model names differ by the "-ip" suffix).
      expect(inProcess.code).toBe(real.code);
      const errorLine = (t: string) => t.split("\n").filter((l) => l.startsWith("parrot: error:")).map((l) => l.replaceAll(`${c.model}-ip`, c.model));
      expect(errorLine(inProcess.stderr)).toEqual(errorLine(real.stderr));
    }
    for (const f of [...filesUnder(work), ...filesUnder(home)]) assertNoKey(f, fs.readFileSync(f, "latin1"));
  });
});
