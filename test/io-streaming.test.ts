/**
 * Every input is read once, in order, streaming (src/io/jsonl.ts InputFile), so a pipe or FIFO (`stats <(cmd)`,
 * `mkfifo`) gives the same result as the file it carries: no record lost to a format sniffer or a second open, no
 * hang on a reopen. A line without an end (`/dev/zero`) stops at the maximum line length with one clear error
 * instead of growing memory without bound. The built CLI is spawned: its reads block on the FIFO, the test does not.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readLines } from "../src/io/jsonl.js";
import { SHARED, runCli } from "./support/cli.js";
import { defaultHandler, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { tempDir } from "./support/tmp.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
let dir: string;
let server: FakeServer;
const writers: ChildProcess[] = [];

beforeAll(async () => {
  dir = tempDir("parrot-stream-");
  server = await startFakeOpenAI(defaultHandler);
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  for (const w of writers.splice(0)) if (w.exitCode === null) w.kill("SIGKILL");
});

/** A FIFO fed from `source` line by line with a pause after each line (a slow producer), by a child process. */
function slowFifo(source: string, name: string, pauseS = "0.005"): string {
  const fifo = path.join(dir, name);
  execFileSync("mkfifo", [fifo]);
  const w = spawn("bash", ["-c", `while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; sleep ${pauseS}; done < "$0" > "$1"`, source, fifo], { stdio: "ignore" });
  writers.push(w);
  return fifo;
}

function sessionsFile(name: string, n: number): string {
  const f = path.join(dir, name);
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    messages: [
      { role: "user", content: `Tell me something about topic number ${i} please.` },
      { role: "assistant", content: `Topic ${i} is interesting.` },
      ...(i % 2 ? [{ role: "user", content: "Why is that so interesting to you?" }, { role: "assistant", content: "Because it is." }] : []),
    ],
    meta: {},
  }));
  fs.writeFileSync(f, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return f;
}

describe("inputs from pipes and FIFOs are read once", () => {
  it("stats of a slowly fed FIFO equals stats of the file (parrot sessions, ShareGPT JSONL, a ShareGPT JSON array)", async () => {
    const parrot = sessionsFile("sessions.jsonl", 20);
    const sharegpt = path.join(dir, "sharegpt.jsonl");
    const sgLines = fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(0, 20);
    fs.writeFileSync(sharegpt, sgLines.join("\n") + "\n");
    const array = path.join(dir, "sharegpt.json");
    fs.writeFileSync(array, "[\n" + sgLines.join(",\n") + "\n]\n");
    for (const [file, n] of [[parrot, 20], [sharegpt, 20], [array, 20]] as const) {
      const want = await runCli(["stats", file, "--json"]);
      expect(want.code, want.stderr).toBe(0);
      expect(JSON.parse(want.stdout).sessions).toBe(n);
      const got = await runCli(["stats", slowFifo(file, `${path.basename(file)}.fifo`), "--json"], { timeoutMs: 30_000 });
      expect(got.code, got.stderr).toBe(0);
      expect(JSON.parse(got.stdout)).toEqual(JSON.parse(want.stdout));
    }
  }, 90_000);

  it("collect uses every seed of a FIFO; merge reads a FIFO once and does not hang", async () => {
    const seeds = sessionsFile("seeds.jsonl", 20);
    const out = path.join(dir, "collected.jsonl");
    const spec = `${server.url}#m-fifo`;
    const c = await runCli(["collect", "--seeds", slowFifo(seeds, "seeds.fifo"), "--asker", spec, "--assistant", spec, "--turns", "1", "--limit", "20", "--out", out], { timeoutMs: 60_000 });
    expect(c.code, c.stderr).toBe(0);
    expect(fs.readFileSync(out, "utf8").trim().split("\n")).toHaveLength(20);

    const merged = path.join(dir, "merged.jsonl");
    const m = await runCli(["merge", "--out", merged, slowFifo(seeds, "merge.fifo")], { timeoutMs: 30_000 });
    expect(m.signal, "merge hung on the FIFO").toBeNull();
    expect(m.code, m.stderr).toBe(0);
    expect(fs.readFileSync(merged, "utf8")).toBe(fs.readFileSync(seeds, "utf8"));
  }, 120_000);
});

describe("a maximum line length", () => {
  it("/dev/zero (no newline, ever) stops with one clear line, exit 1, in bounded memory", async () => {
    const r = await runCli(["stats", "/dev/zero"], { timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^parrot: error: \/dev\/zero:1: line longer than 64 MiB \(no newline\)/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  }, 90_000);

  it("readLines refuses a line over the limit, naming file and line, and reads lines at the limit", () => {
    const f = path.join(dir, "long.jsonl");
    fs.writeFileSync(f, "a\n" + "b".repeat(100) + "\n" + "c".repeat(101) + "\n");
    const seen: number[] = [];
    expect(() => {
      for (const { text } of readLines(f, { maxLineBytes: 100, chunkSize: 16 })) seen.push(text.length);
    }).toThrow(/long\.jsonl:3: line longer than 100 bytes/);
    expect(seen).toEqual([1, 100]);
  });
});
