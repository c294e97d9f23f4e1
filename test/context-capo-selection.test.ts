/**
 * The paper's selection of context-dependent queries end to end (issue 12, items 6 and 7): `context detect --judge`
 * counts judge replies without a parseable verdict and exits 3 above MAX_UNPARSED_SHARE; `capo --context FILE`
 * builds pairs for the queries the `context detect` rows mark, the judge's decision winning over the heuristic.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { chatReply, lastInput, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { readJsonl as rows, writeJsonl } from "./support/jsonl.js";
import { SESSIONS, writeSessions } from "./support/sessions.js";
import { MAX_UNPARSED_SHARE } from "../src/context/judge.js";

const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const tmp = () => tempDir("parrot-select-");

/** Two sessions: s1 (3 user turns) turn 2 is an anaphoric follow-up (heuristic: dependent), s1 turn 3 and s2 are not. */
function sessions(dir: string): string {
  return writeSessions(dir, [
    ...SESSIONS,
    { id: "s2", messages: [
      { role: "user", content: "Write a haiku about the sea at night." },
      { role: "assistant", content: "Dark waves fold and hush." },
      { role: "user", content: "How many moons does Jupiter have?" },
      { role: "assistant", content: "Jupiter has 95 known moons." },
    ], meta: {} },
  ]);
}

describe("context detect --judge: unparsed verdicts (item 6)", () => {
  it(`exits 3 with a warning when more than ${MAX_UNPARSED_SHARE * 100}% of the judged rows have no verdict, 0 when all parse`, async () => {
    server = await servers.start(() => chatReply("I think it might be, hard to say."));
    const dir = tmp();
    const file = sessions(dir);
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCli(["context", "detect", file, "--judge", `${server.url}#j`, "--out", out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/warning: 3 of 3 judged queries in \S+ctx\.jsonl \(100\.0%\) have no parseable judge verdict \(more than 5%\)/);
    expect(rows(out)).toHaveLength(3);
    expect(rows(out).every((x) => x.judge.context_dependent === null)).toBe(true);
    // The share is over the whole output: a rerun with nothing left to judge still warns.
    const again = await runCli(["context", "detect", file, "--judge", `${server.url}#j`, "--out", out]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("3 of 3 judged queries");

    server = await servers.start(() => chatReply("VERDICT: INDEPENDENT"));
    const ok = path.join(dir, "ok.jsonl");
    const r2 = await runCli(["context", "detect", file, "--judge", `${server.url}#j`, "--out", ok]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toContain("warning");
  });
});

describe("capo --context FILE (item 7)", () => {
  it("uses the rows of context detect; the judge's decision wins over the heuristic where present", async () => {
    // Judge: s1/2 (heuristic dependent) is INDEPENDENT, s2/2 (heuristic independent) is DEPENDENT, s1/3 no verdict.
    server = await servers.start((req) => {
      const text = lastInput(req);
      if (text.includes("Mongolia")) return chatReply("unclear");
      if (text.includes("Jupiter")) return chatReply("VERDICT: DEPENDENT");
      return chatReply("VERDICT: INDEPENDENT");
    });
    const dir = tmp();
    const file = sessions(dir);
    const ctx = path.join(dir, "ctx.jsonl");
    const judged = await runCli(["context", "detect", file, "--judge", `${server.url}#j`, "--out", ctx]);
    expect([0, 3]).toContain(judged.code);
    const byKey = new Map(rows(ctx).map((x) => [`${x.id}/${x.turn}`, x]));
    expect(byKey.get("s1/2").heuristic.context_dependent).toBe(true);
    expect(byKey.get("s2/2").heuristic.context_dependent).toBe(false);

    server = await servers.start((_req, i) => chatReply(`negative ${i}`));
    const pairs = path.join(dir, "pairs.jsonl");
    const r = await runCli(["capo", file, "--assistant", `${server.url}#neg`, "--out", pairs, "--strategies", "context-neglect", "--context", ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`--context ${ctx}: 3 decisions used (2 by the judge, 1 heuristic)`);
    const got = rows(pairs);
    expect(got.map((p) => `${p.session_id}/${p.turn}`)).toEqual(["s2/2"]);
    expect(got[0].meta.detector.decided_by).toBe("judge");

    // Without --context the heuristic picks s1/2 instead.
    const heur = path.join(dir, "heur.jsonl");
    const h = await runCli(["capo", file, "--assistant", `${server.url}#neg`, "--out", heur, "--strategies", "context-neglect"]);
    expect(h.code, h.stderr).toBe(0);
    expect(rows(heur).map((p) => `${p.session_id}/${p.turn}`)).toEqual(["s1/2"]);

    // Heuristic-only rows (context detect without --judge) work too.
    const plain = path.join(dir, "plain.jsonl");
    expect((await runCli(["context", "detect", file, "--out", plain])).code).toBe(0);
    const p2 = path.join(dir, "p2.jsonl");
    const r3 = await runCli(["capo", file, "--assistant", `${server.url}#neg`, "--out", p2, "--strategies", "context-neglect", "--context", plain]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(rows(p2).map((p) => `${p.session_id}/${p.turn}`)).toEqual(["s1/2"]);
    expect(rows(p2)[0].meta.detector.decided_by).toBe("heuristic");
  });

  it("a malformed row names file, line and field; rows of other sessions only are refused", async () => {
    server = await servers.start((_req, i) => chatReply(`negative ${i}`));
    const dir = tmp();
    const file = sessions(dir);
    const bad = path.join(dir, "bad.jsonl");
    writeJsonl(bad, [{ id: "s1", turn: 2, context_dependent: true }, { id: "s1", turn: 3, context_dependent: "yes" }]);
    const r = await runCli(["capo", file, "--assistant", `${server.url}#neg`, "--out", path.join(dir, "p.jsonl"), "--context", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.jsonl:2: field "context_dependent": expected true or false');
    const other = path.join(dir, "other.jsonl");
    writeJsonl(other, [{ id: "zz", turn: 2, context_dependent: true }]);
    const r2 = await runCli(["capo", file, "--assistant", `${server.url}#neg`, "--out", path.join(dir, "p.jsonl"), "--context", other]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("none of its 1 rows names a query of");
    expect(server.requests).toHaveLength(0);
  });
});
