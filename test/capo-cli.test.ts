import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBuilt, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, type FakeServer, type FakeRequest } from "./support/fake-openai.js";
import { readJsonl as readRows, writeJsonl } from "./support/jsonl.js";
import { fakeServerPerTest } from "./support/server.js";
import { FIRST_QUERY as FIRST, SESSIONS as sessions, writeSessions } from "./support/sessions.js";
import { HALLUCINATION_GUESS_INSTRUCTION, MISUNDERSTANDING_INSTRUCTION } from "../src/capo/prompts.js";

const tmp = () => tempDir("parrot-capo-");
const allText = (r: FakeRequest) => r.body.messages.map((m: any) => m.content).join("\n");

const servers = fakeServerPerTest();
let server: FakeServer | undefined;
beforeAll(ensureBuilt);

describe("parrot capo", () => {
  it("builds one pair per strategy for the context-dependent query; only misunderstanding sees the history", async () => {
    server = await servers.start((req, n) => chatReply(`negative #${n}`));
    const dir = tmp();
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", writeSessions(dir), "--assistant", `${server.url}#neg`, "--out", out, "--concurrency", "2"];
    const r = await runCliInProcess(args);
    expect(r.code, r.stderr).toBe(0);
    // neglect 1 + hallucination 2 + misunderstanding 1 requests, for the single dependent query (turn 2)
    expect(server.requests).toHaveLength(4);
    const neglect = server.requests.filter((q) => q.body.messages.length === 1 && q.body.messages[0].content === "Now, explain them again like I'm five.");
    expect(neglect).toHaveLength(1);
    const guess = server.requests.filter((q) => allText(q).includes(HALLUCINATION_GUESS_INSTRUCTION));
    expect(guess).toHaveLength(1);
    const misunderstanding = server.requests.filter((q) => allText(q).includes(MISUNDERSTANDING_INSTRUCTION));
    expect(misunderstanding).toHaveLength(1);
    expect(allText(misunderstanding[0])).toContain(FIRST);
    for (const q of server.requests.filter((x) => x !== misunderstanding[0])) expect(allText(q)).not.toContain(FIRST);
    // the hallucination answer request carries the guess from the first call
    const answer = server.requests.find((q) => allText(q).includes("Here is what I mean:"));
    expect(answer).toBeDefined();
    expect(allText(answer!)).toMatch(/Here is what I mean: negative #\d/);

    const rows = readRows(out);
    expect(rows.map((x) => x.strategy).sort()).toEqual(["context-hallucination", "context-misunderstanding", "context-neglect"]);
    for (const row of rows) {
      expect(row.session_id).toBe("s1");
      expect(row.turn).toBe(2);
      expect(row.id).toBe(`s1/2/${row.strategy}`);
      expect(row.prompt).toEqual(sessions[0].messages.slice(0, 3));
      expect(row.chosen).toBe("Imagine a lemonade stand ...");
      expect(row.rejected).toMatch(/^negative #\d$/);
      expect(row.meta.prompt_version).toMatch(/capo/);
      expect(row.meta.attempts).toBe(1);
    }
    expect(rows.find((x) => x.strategy === "context-hallucination").meta.guess).toMatch(/^negative #\d$/);
    expect(r.stderr).toMatch(/context-neglect: 1 pairs built, 0 regenerations, 0 dropped/);
    expect(r.stderr).toMatch(/neg: 4 requests/);

    // resume: nothing new requested, no duplicates
    const again = await runCliInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(readRows(out)).toHaveLength(3);
  });

  it("regenerates empty or chosen-equal negatives a bounded number of times, then drops and counts them", async () => {
    // neglect: first empty, then a good one; misunderstanding: always equals chosen (dropped)
    let neglectCalls = 0;
    server = await servers.start((req) => {
      const text = allText(req);
      if (text.includes(MISUNDERSTANDING_INSTRUCTION)) return chatReply("Imagine a lemonade stand ...");
      if (req.body.messages.length === 1 && text === "Now, explain them again like I'm five.") return chatReply(neglectCalls++ === 0 ? "   " : "A neglectful answer.");
      return chatReply("something else");
    });
    const dir = tmp();
    const out = path.join(dir, "pairs.jsonl");
    const r = await runCliInProcess(["capo", writeSessions(dir), "--assistant", `${server.url}#neg`, "--out", out, "--strategies", "context-neglect,context-misunderstanding", "--max-attempts", "2"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readRows(out);
    expect(rows).toHaveLength(1);
    expect(rows[0].strategy).toBe("context-neglect");
    expect(rows[0].rejected).toBe("A neglectful answer.");
    expect(rows[0].meta.attempts).toBe(2);
    expect(server.requests.filter((q) => allText(q).includes(MISUNDERSTANDING_INSTRUCTION))).toHaveLength(2);
    expect(r.stderr).toMatch(/context-neglect: 1 pairs built, 1 regenerations, 0 dropped/);
    expect(r.stderr).toMatch(/context-misunderstanding: 0 pairs built, 1 regenerations, 1 dropped/);
  });

  it("--max-queries with --seed picks a reproducible sample; --shard splits the pairs", async () => {
    server = await servers.start((req, n) => chatReply(`neg ${n}`));
    const dir = tmp();
    const many = Array.from({ length: 6 }, (_, k) => ({ ...sessions[0], id: `s${k}` }));
    const f = path.join(dir, "many.jsonl");
    writeJsonl(f, many);
    const run = async (name: string, extra: string[]) => {
      const out = path.join(dir, name);
      const r = await runCliInProcess(["capo", f, "--assistant", `${server!.url}#neg`, "--out", out, "--strategies", "context-neglect", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return readRows(out).map((x) => x.session_id).sort();
    };
    const a = await run("a.jsonl", ["--max-queries", "3", "--seed", "7"]);
    const b = await run("b.jsonl", ["--max-queries", "3", "--seed", "7"]);
    expect(a).toHaveLength(3);
    expect(a).toEqual(b);
    const s0 = await run("s0.jsonl", ["--shard", "0/2"]);
    const s1 = await run("s1.jsonl", ["--shard", "1/2"]);
    expect([...s0, ...s1].sort()).toEqual(many.map((s) => s.id).sort());
    expect(s0.filter((x) => s1.includes(x))).toEqual([]);
  });

  it("bad input and bad flags: one clear line, non-zero exit, no output file", async () => {
    const dir = tmp();
    const out = path.join(dir, "pairs.jsonl");
    const bad = path.join(dir, "bad.jsonl");
    fs.writeFileSync(bad, JSON.stringify(sessions[0]) + "\n{not json\n");
    let r = await runCliInProcess(["capo", bad, "--assistant", "http://127.0.0.1:9/v1#x", "--out", out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.jsonl:2/);
    r = await runCliInProcess(["capo", writeSessions(dir), "--assistant", "http://127.0.0.1:9/v1#x", "--out", out, "--strategies", "context-neglect,context-amnesia"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown strategy "context-amnesia"/);
    r = await runCliInProcess(["capo", path.join(dir, "missing.jsonl"), "--assistant", "http://127.0.0.1:9/v1#x", "--out", out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/missing\.jsonl: no such file/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
