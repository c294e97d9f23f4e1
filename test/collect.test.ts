import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readSessionFile } from "../src/conversations/session.js";
import { PARROT_ASK_SYSTEM_PROMPT, PROMPTED_USER_INSTRUCTION } from "../src/collect/prompts.js";
import { CLI, SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, completionReply, defaultHandler, lastInput, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const tmp = () => tempDir("parrot-collect-");

function lines(file: string): string[] {
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
}

describe("parrot collect against an OpenAI-compatible server", () => {
  it("parrot-ask: raw completions in the B.1 format, N user turns, provenance in meta", async () => {
    server = await servers.start();
    const out = path.join(tmp(), "s.jsonl");
    const spec = `${server.url}#fake`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--simulator", "parrot-ask", "--asker", spec, "--assistant", spec, "--turns", "3", "--limit", "4", "--out", out, "--concurrency", "3", "--seed", "7"]);
    expect(r.stderr).toContain("wrote 4 sessions");
    expect(r.code).toBe(0);
    const sessions = readSessionFile(out);
    expect(sessions).toHaveLength(4);
    for (const s of sessions) {
      expect(s.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
      expect(s.meta).toMatchObject({ simulator: "parrot-ask", turns_target: 3, stop_reason: "turns", models: { asker: spec, assistant: spec } });
      expect((s.meta.seed as any).format).toBe("sharegpt");
    }
    const completions = server.requests.filter((q) => q.path.endsWith("/v1/completions"));
    expect(completions).toHaveLength(8); // 4 sessions x 2 simulated queries
    for (const q of completions) {
      expect(q.body.prompt.startsWith(`${PARROT_ASK_SYSTEM_PROMPT} [USER] `)).toBe(true);
      expect(q.body.prompt.endsWith(" [USER]")).toBe(true);
      expect(q.body.stop).toEqual(["[ASSISTANT]"]);
    }
    // The chat requests carry the whole history.
    const chats = server.requests.filter((q) => q.path.endsWith("/chat/completions"));
    expect(chats).toHaveLength(12);
    expect(Math.max(...chats.map((q) => q.body.messages.length))).toBe(5);
    // Seeds are the first queries of real sessions, sampled reproducibly.
    const again = path.join(tmp(), "s2.jsonl");
    await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "1", "--limit", "4", "--out", again, "--seed", "7"]);
    const seedIds = (list: typeof sessions) => list.map((s) => (s.meta.seed as { id: string }).id).sort();
    expect(seedIds(readSessionFile(again))).toEqual(seedIds(sessions));
  });

  it("prompted: B.2 prompt to a chat model, history first", async () => {
    server = await servers.start((req, i) => {
      if (lastInput(req).includes(PROMPTED_USER_INSTRUCTION)) return chatReply(`"So what about number ${i} of those, in more detail?"`);
      return chatReply(`Answer ${i}`);
    });
    const out = path.join(tmp(), "p.jsonl");
    const spec = `${server.url}#fake`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--simulator", "prompted", "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "2", "--out", out]);
    expect(r.code).toBe(0);
    const sessions = readSessionFile(out);
    expect(sessions.every((s) => s.messages.length === 4 && s.meta.simulator === "prompted")).toBe(true);
    // Quotes stripped from the simulated query.
    expect(sessions[0].messages[2].content).toMatch(/^So what about number \d+ of those, in more detail\?$/);
    const simReqs = server.requests.filter((q) => lastInput(q).includes(PROMPTED_USER_INSTRUCTION));
    expect(simReqs).toHaveLength(2);
    expect(lastInput(simReqs[0]).startsWith("User: ")).toBe(true);
    expect(lastInput(simReqs[0])).toContain("\n\nAssistant: Answer");
  });

  it("regenerates filtered queries, then stops the session early with the reason", async () => {
    server = await servers.start((req, i) => {
      if (req.path.endsWith("/chat/completions")) return chatReply(`Answer ${i}`);
      return completionReply(" ok [ASSISTANT]"); // always too short
    });
    const out = path.join(tmp(), "f.jsonl");
    const spec = `${server.url}#fake`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "4", "--limit", "1", "--out", out, "--max-query-retries", "2"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("stopped early: filtered:too-short: 1");
    const [s] = readSessionFile(out);
    expect(s.messages).toHaveLength(2);
    expect(s.meta.stop_reason).toBe("filtered:too-short");
    expect((s.meta.filtered as any[]).map((f) => [f.turn, f.attempt, f.reason])).toEqual([[2, 1, "too-short"], [2, 2, "too-short"], [2, 3, "too-short"]]);
  });

  it("resumes: finished sessions are kept, never re-requested or duplicated", async () => {
    server = await servers.start();
    const out = path.join(tmp(), "r.jsonl");
    const spec = `${server.url}#fake`;
    const args = (limit: number) => ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", String(limit), "--out", out];
    expect((await runCli(args(3))).code).toBe(0);
    const first = lines(out);
    const n1 = server.requests.length;
    const same = await runCli(args(3));
    expect(same.stderr).toContain("nothing to do");
    expect(server.requests.length).toBe(n1);
    expect((await runCli(args(5))).code).toBe(0);
    const all = lines(out);
    expect(all.slice(0, 3)).toEqual(first);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((l) => JSON.parse(l).id)).size).toBe(5);
    expect(server.requests.length - n1).toBe(2 * 3); // 2 new sessions x (2 answers + 1 query)
  });

  it("kill -9 mid-run loses at most the sessions in flight; rerun completes without duplicates", async () => {
    server = await servers.start(async (req, i) => {
      await new Promise((r) => setTimeout(r, 15));
      return defaultHandler(req, i);
    });
    const out = path.join(tmp(), "k.jsonl");
    const spec = `${server.url}#fake`;
    const args = [CLI, "collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "3", "--limit", "40", "--concurrency", "4", "--out", out];
    const child = spawn(process.execPath, args, { stdio: "ignore", env: { ...process.env, CI: "1" } });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fs.existsSync(out) && lines(out).length >= 5) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const text = fs.readFileSync(out, "utf8");
    const partial = text.split("\n").filter(Boolean);
    expect(partial.length).toBeGreaterThanOrEqual(5);
    expect(partial.length).toBeLessThan(40);
    for (const l of partial) expect(() => JSON.parse(l)).not.toThrow();
    const r = await runCli(args.slice(1));
    expect(r.code).toBe(0);
    const all = lines(out);
    expect(all).toHaveLength(40);
    expect(all.slice(0, partial.length)).toEqual(partial);
    expect(new Set(all.map((l) => JSON.parse(l).id)).size).toBe(40);
  });

  it("bounds requests in flight by --concurrency", async () => {
    let inFlight = 0;
    let peak = 0;
    server = await servers.start(async (req, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return defaultHandler(req, i);
    });
    const spec = `${server.url}#fake`;
    const r = await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "12", "--concurrency", "4", "--out", path.join(tmp(), "c.jsonl")]);
    expect(r.code).toBe(0);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThanOrEqual(3);
  });

  it("rejects bad flags and input before writing anything", async () => {
    const d = tmp();
    const out = path.join(d, "never.jsonl");
    const tooMany = await runCli(["collect", "--seeds", SEEDS, "--assistant", "http://127.0.0.1:9/v1#m", "--asker", "http://127.0.0.1:9/v1#m", "--limit", "5000", "--out", out]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/--limit 5000: .*has only \d+ usable seed sessions/);
    const bad = path.join(d, "bad.jsonl");
    fs.writeFileSync(bad, `{"id":"a","conversations":[{"from":"human","value":"hi there"}]}\n{"id":"b","conversations":[{"from":"human"}]}\n`);
    const r = await runCli(["collect", "--seeds", bad, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:2: field "conversations\[0\]\.value"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const unknown = await runCli(["collect", "--seeds", bad, "--out", out, "--frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown option/);
    const badSpec = await runCli(["collect", "--seeds", SEEDS, "--assistant", "gpt-4", "--limit", "1", "--out", out]);
    expect(badSpec.code).toBe(1);
    expect(badSpec.stderr).toMatch(/--assistant "gpt-4": expected URL#MODEL/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
