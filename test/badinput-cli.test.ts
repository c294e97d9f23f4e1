/**
 * Bad input through the built CLI, for every command and the readers behind them (sessions in parrot, ShareGPT and
 * OpenAI formats; FastChat questions, answers and judgments; shard outputs): malformed JSON lines, wrong schema,
 * empty turns, roles out of order, non-UTF-8 bytes, empty and missing files, unknown flags. Each must give one clear
 * line naming file, line and field, a non-zero exit, no stack trace, and no output file. Huge (5 MB) messages are
 * valid input and must go through.
 *
 * The many cases run in this process through the CLI's own `main` (runCliInProcess: same argv, same stdout/stderr,
 * same exit code, no Node start-up per case); a few run the real binary too, and must agree with the in-process run
 * to the byte, so the fast path is known to show what a user sees.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCli, runCliInProcess, type CliResult } from "./support/cli.js";
import { chatReply, defaultHandler, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { CONTEXT_JUDGE_SYSTEM } from "../src/context/prompts.js";
import { readStrictJsonl } from "./support/jsonl.js";
import { tempDir } from "./support/tmp.js";

const MT = path.join(SHARED, "data/mt_bench");
let dir: string;
let server: FakeServer;
beforeAll(async () => {
  dir = tempDir("parrot-badinput-");
  // The context judge gets a verdict (replies without one make `context detect --judge` exit 3).
  server = await startFakeOpenAI((req, n) => (req.body?.messages?.[0]?.content === CONTEXT_JUDGE_SYSTEM ? chatReply("VERDICT: DEPENDENT") : defaultHandler(req, n)));
});
afterAll(async () => {
  await server?.close();
});

const GOOD = {
  id: "a",
  messages: [
    { role: "user", content: "Tell me about volcanoes please." },
    { role: "assistant", content: "Volcanoes are vents in the crust." },
    { role: "user", content: "Why do they erupt so suddenly?" },
    { role: "assistant", content: "Pressure builds up." },
  ],
  meta: {},
};

/** Write `name` holding the good record on line 1 and `second` (object, raw string or bytes) on line 2. */
function file(name: string, second?: unknown): string {
  const f = path.join(dir, name);
  const parts: Buffer[] = [Buffer.from(JSON.stringify(GOOD) + "\n")];
  if (Buffer.isBuffer(second)) parts.push(second);
  else if (typeof second === "string") parts.push(Buffer.from(second + "\n"));
  else if (second !== undefined) parts.push(Buffer.from(JSON.stringify(second) + "\n"));
  fs.writeFileSync(f, Buffer.concat(parts));
  return f;
}
const withB = (edit: (s: any) => void) => {
  const s = structuredClone(GOOD) as any;
  s.id = "b";
  edit(s);
  return s;
};

const ENV = { PARROT_BACKOFF_BASE_MS: "1" };

/** Run `jobs` CLI invocations in this process, one after the other. */
async function runAll(jobs: string[][]): Promise<CliResult[]> {
  const out: CliResult[] = [];
  for (const job of jobs) out.push(await runCliInProcess(job, { env: ENV }));
  return out;
}

/** Session-reading commands, with `F` for the input and `O` for the output. */
const SESSION_COMMANDS = (model: string): string[][] => {
  const spec = `${server.url}#${model}`;
  return [
    ["collect", "--seeds", "F", "--asker", spec, "--assistant", spec, "--turns", "1", "--out", "O"],
    ["stats", "F"],
    ["context", "detect", "F", "--out", "O"],
    ["context", "detect", "F", "--judge", spec, "--out", "O"],
    ["capo", "F", "--assistant", spec, "--out", "O"],
    ["export", "sft-chat", "F", "--format", "trl", "--out", "O"],
  ];
};

describe("session readers, every session-reading command", () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ["malformed JSON line", () => file("json.jsonl", '{"id":"b","messages":[{"role":"user"'), /json\.jsonl:2: not valid JSON/],
    ["wrong schema (content not a string)", () => file("schema.jsonl", withB((s) => (s.messages[1].content = 5))), /schema\.jsonl:2: field "messages\[1\]\.content": .*expected string/],
    ["wrong schema (unknown role)", () => file("role.jsonl", withB((s) => (s.messages[1].role = "robot"))), /role\.jsonl:2: field "messages\[1\]\.role"/],
    ["empty turn", () => file("empty.jsonl", withB((s) => (s.messages[2].content = ""))), /empty\.jsonl:2: field "messages\[2\]\.content": empty message/],
    ["roles out of order", () => file("order.jsonl", withB((s) => s.messages.splice(1, 1))), /order\.jsonl:2: field "messages\[1\]\.role": roles must alternate/],
    ["non-UTF-8 bytes", () => file("utf8.jsonl", Buffer.from('{"id":"b","messages":[{"role":"user","content":"caf\xe9 \xff"}],"meta":{}}\n', "latin1")), /utf8\.jsonl:2: not valid UTF-8/],
    ["ShareGPT: unknown speaker", () => {
      const f = path.join(dir, "sg.jsonl");
      fs.writeFileSync(f, JSON.stringify({ id: "x", conversations: [{ from: "human", value: "hi there friend" }, { from: "robot", value: "beep" }] }) + "\n");
      return f;
    }, /sg\.jsonl:1: field "conversations\[1\]\.from"/],
    ["empty file", () => {
      const f = path.join(dir, "emptyfile.jsonl");
      fs.writeFileSync(f, "");
      return f;
    }, /emptyfile\.jsonl: no records/],
    ["missing file", () => path.join(dir, "absent.jsonl"), /absent\.jsonl: no such file/],
  ];

  it("each bad file x each command: exit 1, file:line field named, no stack, no output", async () => {
    const jobs: string[][] = [];
    const meta: Array<{ what: string; re: RegExp; out: string }> = [];
    for (const [what, make, re] of cases) {
      const f = make();
      SESSION_COMMANDS("m-bad").forEach((cmd, k) => {
        const out = path.join(dir, `out-${k}-${path.basename(f)}`);
        jobs.push(cmd.map((a) => (a === "F" ? f : a === "O" ? out : a)));
        meta.push({ what, re, out });
      });
    }
    const results = await runAll(jobs);
    results.forEach((r, i) => {
      const { what, re, out } = meta[i];
      const label = `${what}: ${jobs[i].slice(0, 2).join(" ")}`;
      expect(r.code, label).toBe(1);
      expect(r.stderr, label).toMatch(re);
      expect(r.stderr, label).toMatch(/^parrot: error: /m);
      expect(r.stderr, label).not.toMatch(STACK_RE);
      expect(fs.existsSync(out), `${label} left ${out}`).toBe(false);
    });
    // Nothing was sent for invalid input.
    expect(server.requests.filter((q) => q.body?.model === "m-bad")).toHaveLength(0);
  });

  it("a 5 MB message is valid input and goes through every command", async () => {
    const f = file("huge.jsonl", withB((s) => (s.messages[0].content = "word ".repeat(1_000_000))));
    expect(fs.statSync(f).size).toBeGreaterThan(5_000_000);
    const jobs = SESSION_COMMANDS("m-huge").map((cmd, k) => cmd.map((a) => (a === "F" ? f : a === "O" ? path.join(dir, `huge-out-${k}.jsonl`) : a)));
    const results = await runAll(jobs);
    results.forEach((r, i) => {
      expect(r.code, `${jobs[i].slice(0, 2).join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(STACK_RE);
    });
    const sessions = readStrictJsonl(path.join(dir, "huge-out-0.jsonl"));
    expect(sessions.map((s) => s.meta.seed.id).sort()).toEqual(["a", "b"]);
    expect(sessions.find((s) => s.meta.seed.id === "b").messages[0].content.length).toBe(5_000_000);
    expect(server.requests.some((q) => JSON.stringify(q.body).length > 5_000_000)).toBe(true);
  });
});

/** A 20,000-level OpenAssistant chain as text (JSON.stringify itself would overflow); `deletedAt` cuts it there. */
function deepOasst(name: string, depth: number, deletedAt?: number): string {
  let inner = "";
  for (let d = depth - 1; d >= 0; d--) {
    const role = d % 2 === 0 ? "prompter" : "assistant";
    inner = `{"message_id":"m${d}","text":"Message number ${d} about volcanoes.","role":"${role}"${d === deletedAt ? ',"deleted":true' : ""},"replies":[${inner}]}`;
  }
  const f = path.join(dir, name);
  fs.writeFileSync(f, `{"message_tree_id":"deep","prompt":${inner}}\n`);
  return f;
}

describe("deep OpenAssistant trees", () => {
  it("a 20,000-level tree goes through every session-reading command and report without a stack overflow", async () => {
    // Cut at depth 4 (so the commands' own work stays small), but read and validated all 20,000 levels deep.
    const cut = deepOasst("deep-cut.jsonl", 20_000, 4);
    const jobs = [...SESSION_COMMANDS("m-deep"), ["report", "--sessions", "F", "--out", "O"]].map((cmd, k) =>
      cmd.map((a) => (a === "F" ? cut : a === "O" ? path.join(dir, `deep-out-${k}${cmd[0] === "report" ? "" : ".jsonl"}`) : a)));
    // The whole 20,000-message path, exported.
    const full = deepOasst("deep-full.jsonl", 20_000);
    const fullOut = path.join(dir, "deep-full-out.jsonl");
    jobs.push(["export", "sft-chat", full, "--format", "trl", "--out", fullOut]);
    const results = await runAll(jobs);
    results.forEach((r, i) => {
      const label = `${jobs[i].slice(0, 2).join(" ")}: ${r.stderr}`;
      expect(r.code, label).toBe(0);
      expect(r.stderr, label).not.toMatch(/Maximum call stack|internal error/);
    });
    expect(results[1].stdout).toMatch(/deep-cut\.jsonl\s+1\s+2\.00/);
    expect(readStrictJsonl(path.join(dir, "deep-out-0.jsonl"))[0].messages[0].content).toBe("Message number 0 about volcanoes.");
    const exported = readStrictJsonl(fullOut);
    expect(exported).toHaveLength(1);
    expect(exported[0].messages).toHaveLength(20_000);
    expect(exported[0].messages[19_999]).toEqual({ role: "assistant", content: "Message number 19999 about volcanoes." });
  }, 120_000);
});

describe("FastChat readers: bench questions, answer, judge, show", () => {
  it("bad questions, answers and judgments: exit 1, file:line field named, no output", async () => {
    const w = (name: string, lines: string[]) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, lines.join("\n") + "\n");
      return f;
    };
    const q1 = JSON.stringify({ question_id: 1, category: "writing", turns: ["Write a poem.", "Shorter."] });
    const badTurns = w("q-empty-turns.jsonl", [q1, JSON.stringify({ question_id: 2, category: "writing", turns: [] })]);
    const badType = w("q-type.jsonl", [q1, JSON.stringify({ question_id: 2, category: "writing", turns: ["ok", 7] })]);
    const badJson = w("q-json.jsonl", [q1, '{"question_id": 2, "turns": ']);
    const goodQ = w("q-good.jsonl", [q1]);
    const a1 = JSON.stringify({ question_id: 1, answer_id: "x", model_id: "m", choices: [{ index: 0, turns: ["a", "b"] }], tstamp: 1 });
    const badAns = w("a-bad.jsonl", [a1, JSON.stringify({ question_id: 2, answer_id: "y", model_id: "m", choices: [] })]);
    const badAnsTurns = w("a-turns.jsonl", [JSON.stringify({ question_id: 1, answer_id: "y", model_id: "m", choices: [{ index: 0, turns: "a" }] })]);
    const badJudg = w("j-bad.jsonl", [JSON.stringify({ question_id: 1, model: "m", judge: ["j", "single-v1"], user_prompt: "p", judgment: "Rating: [[5]]", score: 5, turn: "one", tstamp: 1 })]);
    const spec = `${server.url}#m-fc`;
    const out = path.join(dir, "fastchat-out.jsonl");
    const prompts = path.join(MT, "judge_prompts.jsonl");
    const jobs: Array<[string[], RegExp]> = [
      [["bench", "questions", "--bench", "custom", "--questions", badTurns, "--out", out], /q-empty-turns\.jsonl:2: field "turns": must hold at least one turn/],
      [["bench", "answer", "--bench", "custom", "--questions", badType, "--model", spec, "--out", out], /q-type\.jsonl:2: field "turns\[1\]"/],
      [["bench", "answer", "--bench", "custom", "--questions", badJson, "--model", spec, "--out", out], /q-json\.jsonl:2: not valid JSON/],
      [["bench", "judge", "--bench", "mt-bench", "--questions", goodQ, "--judge-prompts", prompts, "--answers", badAns, "--judge", spec, "--out", out], /a-bad\.jsonl:2: field "choices": must hold at least one choice/],
      [["bench", "judge", "--bench", "mt-bench", "--questions", goodQ, "--judge-prompts", prompts, "--answers", badAnsTurns, "--judge", spec, "--out", out], /a-turns\.jsonl:1: field "choices\[0\]\.turns"/],
      [["bench", "show", "--judgments", badJudg], /j-bad\.jsonl:1: field "turn"/],
      [["bench", "answer", "--bench", "custom", "--questions", path.join(dir, "nope.jsonl"), "--model", spec, "--out", out], /nope\.jsonl: no such file/],
      [["bench", "answer", "--bench", "nonesuch", "--questions", goodQ, "--model", spec, "--out", out], /--bench "nonesuch": expected one of/],
      [["bench", "answer", "--bench", "custom", "--questions", goodQ, "--model", spec, "--out", out, "--concurrency", "0"], /--concurrency "0"/],
      [["bench", "answer", "--bench", "custom", "--questions", goodQ, "--model", spec, "--out", out, "--shard", "3/3"], /--shard "3\/3": need 0 <= I < N/],
    ];
    const results = await runAll(jobs.map(([a]) => a));
    results.forEach((r, i) => {
      const label = jobs[i][0].slice(0, 2).join(" ") + " " + i;
      expect(r.code, label).toBe(1);
      expect(r.stderr, label).toMatch(jobs[i][1]);
      expect(r.stderr, label).not.toMatch(STACK_RE);
    });
    expect(fs.existsSync(out)).toBe(false);
    expect(server.requests.filter((q) => q.body?.model === "m-fc")).toHaveLength(0);
  });
});

describe("flags", () => {
  it("unknown flags are refused by every command with a usage error and no output", async () => {
    const out = path.join(dir, "flag-out.jsonl");
    const cmds = [
      ["collect", "--seeds", "x", "--out", out],
      ["stats", "x"],
      ["context", "detect", "x", "--out", out],
      ["capo", "x", "--assistant", "default", "--out", out],
      ["export", "sft-chat", "x", "--format", "trl", "--out", out],
      ["bench", "answer", "--bench", "custom", "--questions", "x", "--model", "default", "--out", out],
      ["bench", "judge", "--bench", "custom", "--questions", "x", "--answers", "x", "--judge", "default", "--out", out],
      ["bench", "show", "--judgments", "x"],
      ["merge", "--out", out, "x"],
    ];
    const results = await runAll(cmds.map((c) => [...c, "--frobnicate"]));
    results.forEach((r, i) => {
      expect(r.code, cmds[i].join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
      expect(r.stderr).not.toMatch(STACK_RE);
    });
    expect(fs.existsSync(out)).toBe(false);
  });

  it("a malformed PARROT_BACKOFF_BASE_MS is a clean error", async () => {
    const seeds = file("ok.jsonl");
    const r = await runCliInProcess(["collect", "--seeds", seeds, "--asker", `${server.url}#m`, "--assistant", `${server.url}#m`, "--out", path.join(dir, "bo.jsonl")], { env: { PARROT_BACKOFF_BASE_MS: "soon" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PARROT_BACKOFF_BASE_MS "soon": expected a number of milliseconds/);
    expect(r.stderr).not.toMatch(STACK_RE);
  });
});

describe("the real binary agrees with the in-process runs", () => {
  // Spawned `node dist/cli.js`: exit code, stderr and stdout must equal the in-process run's, byte for byte.
  it("a malformed JSON line (context detect, export) and an unknown flag (bench answer)", async () => {
    const f = file("real-json.jsonl", '{"id":"b","messages":[{"role":"user"');
    const out = path.join(dir, "real-out.jsonl");
    const jobs: Array<[string[], RegExp]> = [
      [["context", "detect", f, "--out", out], /real-json\.jsonl:2: not valid JSON/],
      [["export", "sft-chat", f, "--format", "trl", "--out", out], /real-json\.jsonl:2: not valid JSON/],
      [["bench", "answer", "--bench", "custom", "--questions", f, "--model", "default", "--out", out, "--frobnicate"], /unknown option '--frobnicate'/],
    ];
    const spawned = await Promise.all(jobs.map(([args]) => runCli(args, { env: ENV, timeoutMs: 60_000 })));
    for (const [i, [args, re]] of jobs.entries()) {
      const real = spawned[i];
      const label = args.slice(0, 2).join(" ");
      expect(real.signal, label).toBeNull();
      expect(real.code, label).toBe(1);
      expect(real.stderr, label).toMatch(re);
      expect(real.stderr, label).not.toMatch(STACK_RE);
      expect(real.stdout, label).toBe("");
      expect(fs.existsSync(out), label).toBe(false);
      const inProcess = await runCliInProcess(args, { env: ENV });
      expect({ code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr }, label).toEqual({ code: real.code, stdout: real.stdout, stderr: real.stderr });
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
