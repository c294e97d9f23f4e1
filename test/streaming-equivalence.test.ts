// The streamed commands (stats, context detect, export --format tokens; issue 15 item 3) give exactly what the
// in-memory path gives on real data: ../shared/data (ShareGPT sample, OpenAssistant trees; SOURCES.md).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readConversations } from "../src/conversations/readers.js";
import { detectSessions } from "../src/context/queries.js";
import { readTrainingSessions } from "../src/export/data.js";
import { DEFAULT_MAX_LENGTH } from "../src/export/export.js";
import { tokensSftRecord } from "../src/export/formats.js";
import { loadTokenizer } from "../src/export/tokenizer.js";
import { datasetStats, fileStats } from "../src/stats/stats.js";
import { SHARED, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const OASST = path.join(SHARED, "data/dialogues/oasst_en_100_tree.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");

/** The first `n` lines of the ShareGPT sample as a file (keeps the tokenizer part of the test short). */
function sharegptHead(n: number): string {
  const f = path.join(tempDir("parrot-stream-eq-"), `sharegpt-${n}.jsonl`);
  fs.writeFileSync(f, fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(0, n).join("\n") + "\n");
  return f;
}

describe("streamed commands equal the in-memory results on real data", () => {
  it("stats: fileStats (streamed) equals datasetStats(readConversations) to the last bit, and the CLI prints it", async () => {
    for (const file of [sharegptHead(300), OASST]) {
      const streamed = fileStats(file);
      expect(streamed).toEqual(datasetStats(readConversations(file)));
      const r = await runCliInProcess(["stats", file, "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(streamed);
    }
  });

  it("context detect (heuristic): the streamed file equals detectSessions(readConversations) row for row", async () => {
    const d = tempDir("parrot-stream-eq-");
    for (const file of [sharegptHead(300), OASST]) {
      const out = path.join(d, `${path.basename(file)}.labels.jsonl`);
      const r = await runCliInProcess(["context", "detect", file, "--out", out]);
      expect(r.code).toBe(0);
      const sessions = readConversations(file);
      const rows = detectSessions(sessions);
      expect(fs.readFileSync(out, "utf8")).toBe(rows.map((row) => JSON.stringify(row) + "\n").join(""));
      const dep = rows.filter((row) => row.context_dependent).length;
      expect(r.stderr).toContain(`context detect: ${rows.length} queries, ${dep} context-dependent, ${sessions.length} sessions`);
      expect(fs.readdirSync(d).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    }
  });

  it("export sft-chat --format tokens: the streamed file equals the records built from the sessions in memory", async () => {
    const file = sharegptHead(150);
    const out = path.join(tempDir("parrot-stream-eq-"), "tok.jsonl");
    const r = await runCliInProcess(["export", "sft-chat", file, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out]);
    expect(r.code).toBe(0);
    const tok = loadTokenizer(TOKENIZER);
    const { sessions, stats } = readTrainingSessions(file);
    const records = sessions
      .map((s) => tokensSftRecord("sft-chat", tok, s))
      .filter((t) => t.input_ids.length <= DEFAULT_MAX_LENGTH)
      .map((t) => ({ input_ids: t.input_ids, labels: t.labels }));
    expect(records.length).toBeGreaterThan(50);
    expect(fs.readFileSync(out, "utf8")).toBe(records.map((x) => JSON.stringify(x)).join("\n") + "\n");
    expect(r.stderr).toContain(`sessions: ${stats.read} read, ${stats.kept} kept`);
    expect(r.stderr).toContain(`tokens: ${sessions.length} in, ${records.length} written; max length ${DEFAULT_MAX_LENGTH}`);
    expect(r.stderr).toContain(`wrote ${records.length} records: ${out}`);
  });

  it("a bad record after many good ones: exit 1 naming its line, the old output kept, no temporary file", async () => {
    const d = tempDir("parrot-stream-eq-");
    const file = path.join(d, "bad.jsonl");
    const good = fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(0, 40);
    fs.writeFileSync(file, [...good, '{"id": "x", "conversations": [{"from": "human"}]}'].join("\n") + "\n");
    const runs: Array<[string[], string]> = [
      [["context", "detect", file, "--out", path.join(d, "labels.jsonl")], "labels.jsonl"],
      [["export", "sft-chat", file, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", path.join(d, "tok.jsonl")], "tok.jsonl"],
      [["export", "sft-chat", file, "--format", "trl", "--tokenizer", TOKENIZER, "--out", path.join(d, "trl.jsonl")], "trl.jsonl"],
    ];
    for (const [args, name] of runs) {
      fs.writeFileSync(path.join(d, name), "old\n");
      const r = await runCliInProcess(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}:41`);
      expect(r.stderr).toContain("value");
      expect(fs.readFileSync(path.join(d, name), "utf8")).toBe("old\n");
      expect(fs.readdirSync(d).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    }
  });
});
