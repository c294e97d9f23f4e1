import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBuilt, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, type FakeServer } from "./support/fake-openai.js";
import { readJsonl as readRows } from "./support/jsonl.js";
import { fakeServerPerTest } from "./support/server.js";
import { SESSIONS as sessions, writeSessions } from "./support/sessions.js";

const tmp = () => tempDir("parrot-ctx-");

const servers = fakeServerPerTest();
let server: FakeServer | undefined;
beforeAll(ensureBuilt);

describe("parrot context detect", () => {
  it("writes one row per user turn after the first (heuristic)", async () => {
    const dir = tmp();
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCliInProcess(["context", "detect", writeSessions(dir), "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readRows(out);
    expect(rows.map((x) => [x.id, x.turn, x.context_dependent])).toEqual([["s1", 2, true], ["s1", 3, false]]);
    expect(rows[0].cues).toContain("anaphora:them");
    expect(r.stderr).toMatch(/2 queries, 1 context-dependent, 1 sessions/);
  });

  it("with --judge keeps both decisions, sends history + query to the judge, and resumes without new requests", async () => {
    // The judge rejects the heuristic on turn 2 and agrees on turn 3.
    server = await servers.start((req) => {
      const user = req.body.messages.find((m: any) => m.role === "user").content as string;
      return chatReply(user.includes("Latest user query:\nNow, explain them") ? "No reference really.\nVERDICT: INDEPENDENT" : "Standalone.\nVERDICT: INDEPENDENT");
    });
    const dir = tmp();
    const out = path.join(dir, "ctx.jsonl");
    const args = ["context", "detect", writeSessions(dir), "--out", out, "--judge", `${server.url}#judge-model`, "--concurrency", "2"];
    const r = await runCliInProcess(args);
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests).toHaveLength(2);
    const sys = server.requests[0].body.messages[0];
    expect(sys.role).toBe("system");
    const rows = readRows(out).sort((a, b) => a.turn - b.turn);
    expect(rows[0].heuristic.context_dependent).toBe(true);
    expect(rows[0].judge.context_dependent).toBe(false);
    expect(rows[0].context_dependent).toBe(false);
    expect(rows[0].judge.prompt_version).toMatch(/context-judge/);
    expect(rows[1].heuristic.context_dependent).toBe(false);
    expect(rows[1].judge.context_dependent).toBe(false);
    const prompt2 = server.requests.map((q) => q.body.messages[1].content).find((c: string) => c.includes("explain them"));
    expect(prompt2).toContain("Provide insights into the correlation");
    expect(r.stderr).toMatch(/judge-model: 2 requests/);
    const again = await runCliInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(readRows(out)).toHaveLength(2);
  });

  it("a judge reply without a verdict is retried, then the heuristic decision is kept (judge null)", async () => {
    server = await servers.start(() => chatReply("I am not sure."));
    const dir = tmp();
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCliInProcess(["context", "detect", writeSessions(dir), "--out", out, "--judge", `${server.url}#j`]);
    // Every verdict unparsed: more than MAX_UNPARSED_SHARE, so a warning and exit 3 (rows still written).
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/warning: 2 of 2 judged queries .* have no parseable judge verdict/);
    expect(server.requests).toHaveLength(6);
    const rows = readRows(out).sort((a, b) => a.turn - b.turn);
    expect(rows[0].judge.context_dependent).toBeNull();
    expect(rows[0].context_dependent).toBe(rows[0].heuristic.context_dependent);
    expect(r.stderr).toMatch(/2 queries without a judge verdict/);
  });

  it("bad input: names file, line and field, exits non-zero, writes nothing", async () => {
    const dir = tmp();
    const f = path.join(dir, "bad.jsonl");
    fs.writeFileSync(f, JSON.stringify(sessions[0]) + "\n" + JSON.stringify({ id: "s2", messages: [{ role: "robot", content: "x" }], meta: {} }) + "\n");
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCliInProcess(["context", "detect", f, "--out", out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.jsonl:2: field "messages\[0\]\.role"/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
