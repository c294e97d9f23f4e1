/**
 * `parrot collect` seeds and ids (issue 12, items 5, 8 and 22): a seeds file with no usable session exits 1 with
 * the reason; seed queries pass the query filters by default (`--no-seed-filter` keeps them), rejected seeds are
 * counted; each collected session has its own id, the seed id kept in meta.seed.id, and resume still works.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCliInProcess as runCli } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { readJsonl as rows, writeJsonl } from "./support/jsonl.js";
import { SeedCollector } from "../src/collect/seeds.js";
import { DEFAULT_FILTER_CONFIG } from "../src/collect/filters.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const tmp = () => tempDir("parrot-seeds-");
const args = (spec: string, seeds: string, out: string, extra: string[] = []) =>
  ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "1", "--out", out, "--concurrency", "2", ...extra];

describe("seeds with no usable session (item 5)", () => {
  it("exits 1 naming the reason, before any model request or output", async () => {
    server = await servers.start();
    const dir = tmp();
    const seeds = path.join(dir, "assistant-first.jsonl");
    writeJsonl(seeds, [0, 1, 2].map((i) => ({ messages: [{ role: "assistant", content: `Hello, how can I help you today, friend number ${i}?` }, { role: "user", content: "Tell me a long story about dragons." }] })));
    const out = path.join(dir, "s.jsonl");
    const r = await runCli(args(`${server.url}#m`, seeds, out));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("assistant-first.jsonl: no usable seed: 3 sessions read; 3 do not start with a non-empty user query");
    expect(r.stderr).not.toContain("nothing to do");
    expect(r.stderr).not.toMatch(STACK_RE);
    expect(fs.existsSync(out)).toBe(false);
    expect(server.requests).toHaveLength(0);

    // Every seed rejected by the seed filter: the reason says so and how to keep them.
    const sensitive = path.join(dir, "sensitive.jsonl");
    writeJsonl(sensitive, [{ messages: [{ role: "user", content: "Please charge my card 4111 1111 1111 1111 for the order" }] }, { messages: [{ role: "user", content: "hi" }] }]);
    const r2 = await runCli(args(`${server.url}#m`, sensitive, out));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/sensitive\.jsonl: no usable seed: 2 sessions read; 2 rejected by the seed filter \((sensitive-card: 1, too-short: 1|too-short: 1, sensitive-card: 1); --no-seed-filter keeps them\)/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("seed filter (item 22)", () => {
  it("seeds with a card number, a phone number or an e-mail are rejected and counted; --no-seed-filter keeps them", async () => {
    server = await servers.start();
    const dir = tmp();
    const seeds = path.join(dir, "seeds.jsonl");
    const queries = [
      "My card is 4111 1111 1111 1111, can you check whether it was charged twice?",
      "Call me back at +1 415 555 0134 about the delivery of my new sofa please",
      "Write to john.doe@example.com and explain the refund policy in detail",
      "Explain how photosynthesis works in plants, step by step",
      "What are the main causes of inflation in a modern economy?",
    ];
    writeJsonl(seeds, queries.map((q, i) => ({ id: `q${i}`, messages: [{ role: "user", content: q }, { role: "assistant", content: "ok" }] })));
    const out = path.join(dir, "s.jsonl");
    const r = await runCli(args(`${server.url}#m`, seeds, out));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("3 of 5 seed queries rejected by the seed filter (sensitive-card: 1, sensitive-phone: 1, sensitive-email: 1); --no-seed-filter keeps them");
    const written = rows(out);
    expect(written.map((s) => s.meta.seed.id).sort()).toEqual(["q3", "q4"]);
    for (const q of server.requests) expect(JSON.stringify(q.body)).not.toMatch(/4111|555 0134|example\.com/);

    const kept = path.join(dir, "kept.jsonl");
    const r2 = await runCli(args(`${server.url}#m`, seeds, kept, ["--no-seed-filter"]));
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toContain("rejected by the seed filter");
    expect(rows(kept).map((s) => s.meta.seed.id).sort()).toEqual(["q0", "q1", "q2", "q3", "q4"]);
    expect(JSON.parse(fs.readFileSync(`${kept}.manifest.json`, "utf8")).settings.seeds.filter).toBe(false);
    // The filter setting defines the run: switching it on a resumed output is refused.
    const r3 = await runCli(args(`${server.url}#m`, seeds, kept));
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain("seeds.filter: false in the manifest, true now");
  });

  it("SeedCollector counts sessions read, not starting with the user, duplicates and rejections by reason", () => {
    const c = new SeedCollector(DEFAULT_FILTER_CONFIG);
    const s = (id: string, first: { role: "user" | "assistant"; content: string }) => ({ id, messages: [first], meta: {} });
    c.add(s("a", { role: "user", content: "Explain the rules of chess to a beginner" }));
    c.add(s("b", { role: "user", content: "Explain the rules of chess to a beginner" }));
    c.add(s("c", { role: "assistant", content: "Hello there, what do you want to know?" }));
    c.add(s("d", { role: "user", content: "ok" }));
    expect([c.read, c.notUser, c.duplicates, c.rejectedCount(), c.seeds.length, c.unfiltered.length]).toEqual([4, 1, 1, 1, 1, 2]);
    expect(c.rejected).toEqual({ "too-short": 1 });
  });

  it("a real user's seed is never rejected as a role leak, but its sensitive content still is", () => {
    const c = new SeedCollector(DEFAULT_FILTER_CONFIG);
    const s = (id: string, content: string) => ({ id, messages: [{ role: "user" as const, content }], meta: {} });
    // Reads like an assistant's reply (a compliance opener), yet it is what a user typed.
    c.add(s("a", "Sure, here is my essay about the French revolution. Can you fix the grammar?"));
    c.add(s("b", "Sure, here is my contact: jane.doe@example.com, please write to me"));
    expect(c.seeds.map((x) => x.id)).toEqual(["a"]);
    expect(c.rejected).toEqual({ "sensitive-email": 1 });
  });
});

describe("session ids (item 8)", () => {
  it("each collected session has its own id (seed id in meta); collections with other settings never share one; resume keys on the seed", async () => {
    server = await servers.start();
    const dir = tmp();
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    const spec = `${server.url}#m`;
    expect((await runCli(args(spec, SEEDS, a, ["--limit", "3"]))).code).toBe(0);
    // Another collection from the same seeds, with another assistant model.
    expect((await runCli(["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", `${server.url}#m2`, "--turns", "1", "--out", b, "--limit", "3"])).code).toBe(0);
    const ra = rows(a);
    const rb = rows(b);
    const runId = JSON.parse(fs.readFileSync(`${a}.manifest.json`, "utf8")).run_id;
    expect(runId).toMatch(/^[0-9a-f]{8}$/);
    for (const s of ra) {
      expect(s.id).toBe(`${s.meta.seed.id}@${runId}`);
      expect(s.id).not.toBe(s.meta.seed.id);
    }
    // Same seeds, different collections: same seed ids, disjoint session ids.
    expect(ra.map((s) => s.meta.seed.id).sort()).toEqual(rb.map((s) => s.meta.seed.id).sort());
    expect(ra.filter((s) => rb.some((t) => t.id === s.id))).toEqual([]);
    // The same settings into another file (an overlapping shard rerun) give the same ids: merge sees them as one.
    const c = path.join(dir, "c.jsonl");
    expect((await runCli(args(spec, SEEDS, c, ["--limit", "3", "--concurrency", "1"]))).code).toBe(0);
    expect(rows(c).map((s) => s.id).sort()).toEqual(ra.map((s) => s.id).sort());
    // Resume: a larger --limit adds only the new seeds, under the same run id.
    const before = server.requests.length;
    const r = await runCli(args(spec, SEEDS, a, ["--limit", "4"]));
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.length - before).toBe(1);
    const again = rows(a);
    expect(again).toHaveLength(4);
    expect(new Set(again.map((s) => s.meta.seed.id)).size).toBe(4);
    expect(again[3].id).toBe(`${again[3].meta.seed.id}@${runId}`);
    // An output written before session ids existed (id = seed id) resumes by seed id too.
    const legacy = path.join(dir, "legacy.jsonl");
    fs.writeFileSync(legacy, ra.map((s) => JSON.stringify({ ...s, id: s.meta.seed.id })).join("\n") + "\n");
    const before2 = server.requests.length;
    const r2 = await runCli(args(spec, SEEDS, legacy, ["--limit", "3"]));
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain("has no run manifest");
    expect(server.requests.length).toBe(before2);
  });
});
