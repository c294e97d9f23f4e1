/**
 * `parrot export` through the built CLI on real ShareGPT sessions: every format's record shape, roles and
 * train flags/weights, LLaMA-Factory's dataset_info.json, --max-turns, --strategies, errors and preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, SHARED } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { readConversations } from "../src/conversations/readers.js";
import { cleanSession, type TrainingSession } from "../src/export/data.js";
import { PARROT_ASK_SYSTEM_PROMPT } from "../src/collect/prompts.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
let dir: string;
let sessionsFile: string;
let pairsFile: string;
let sessions: TrainingSession[];

const readJsonl = (f: string) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));

beforeAll(() => {
  dir = tempDir("parrot-export-");
  // The first 12 records of the sample (the first starts with the assistant, as ShareGPT segments do).
  const lines = fs.readFileSync(SHAREGPT, "utf8").split("\n").slice(0, 12);
  sessionsFile = path.join(dir, "sessions.jsonl");
  fs.writeFileSync(sessionsFile, lines.join("\n") + "\n");
  sessions = readConversations(sessionsFile).flatMap((s) => cleanSession(s).session ?? []);
  // Preference pairs in the capo shape, built from real sessions (query at turn 2, real response chosen).
  const strategies = ["context-neglect", "context-hallucination", "context-misunderstanding"];
  const pairs = sessions.filter((s) => s.messages.length >= 4).slice(0, 3).flatMap((s, i) =>
    strategies.map((strategy) => ({
      id: `${s.id}/2/${strategy}`,
      session_id: s.id,
      turn: 2,
      strategy,
      prompt: s.messages.slice(0, 3),
      chosen: s.messages[3].content,
      rejected: `A generic answer ${i} that ignores the conversation.`,
      meta: {},
    })),
  );
  pairsFile = path.join(dir, "pairs.jsonl");
  fs.writeFileSync(pairsFile, pairs.map((p) => JSON.stringify(p)).join("\n") + "\n");
});

async function exportOk(args: string[]) {
  const r = await runCliInProcess(["export", ...args]);
  expect(r.stderr).not.toContain("internal error");
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe("sft-chat formats", () => {
  it("trl: conversational messages identical to the sessions", async () => {
    const out = path.join(dir, "chat-trl.jsonl");
    const r = await exportOk(["sft-chat", sessionsFile, "--format", "trl", "--out", out]);
    expect(r.stderr).toMatch(/sessions: 12 read, \d+ kept/);
    const recs = readJsonl(out);
    expect(recs.length).toBe(sessions.length);
    recs.forEach((rec, i) => expect(rec.messages).toEqual(sessions[i].messages));
  });

  it("axolotl: train flags true exactly on assistant messages", async () => {
    const out = path.join(dir, "chat-axolotl.jsonl");
    await exportOk(["sft-chat", sessionsFile, "--format", "axolotl", "--out", out]);
    for (const rec of readJsonl(out)) {
      for (const m of rec.messages) expect(m.train).toBe(m.role === "assistant");
    }
  });

  it("llama-factory: sharegpt with human at odd positions and a dataset_info.json entry", async () => {
    const sub = path.join(dir, "lf");
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, "dataset_info.json"), JSON.stringify({ other: { file_name: "x.json" } }));
    const out = path.join(sub, "parrot_chat.jsonl");
    await exportOk(["sft-chat", sessionsFile, "--format", "llama-factory", "--out", out]);
    for (const rec of readJsonl(out)) {
      rec.conversations.forEach((m: { from: string }, i: number) => expect(m.from).toBe(i % 2 === 0 ? "human" : "gpt"));
      expect(rec.conversations.length % 2).toBe(0);
    }
    const info = JSON.parse(fs.readFileSync(path.join(sub, "dataset_info.json"), "utf8"));
    expect(info.other).toEqual({ file_name: "x.json" });
    expect(info.parrot_chat).toMatchObject({
      file_name: "parrot_chat.jsonl",
      formatting: "sharegpt",
      columns: { messages: "conversations" },
      tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt" },
    });
  });

  it("openai: weight 1 on every assistant message and on nothing else", async () => {
    const out = path.join(dir, "chat-openai.jsonl");
    await exportOk(["sft-chat", sessionsFile, "--format", "openai", "--out", out]);
    for (const rec of readJsonl(out)) {
      for (const m of rec.messages) expect(m.weight).toBe(m.role === "assistant" ? 1 : undefined);
    }
  });

  it("--max-turns 1 keeps one query-response pair per session (Table 5)", async () => {
    const out = path.join(dir, "chat-1turn.jsonl");
    const r = await exportOk(["sft-chat", sessionsFile, "--format", "trl", "--out", out, "--max-turns", "1"]);
    expect(r.stderr).toMatch(/\d+ truncated to 1 turns/);
    for (const rec of readJsonl(out)) expect(rec.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
  });
});

describe("sft-ask formats", () => {
  it("trl/openai: roles swapped, B.1 system prompt, queries are the assistant turns", async () => {
    for (const format of ["trl", "openai"]) {
      const out = path.join(dir, `ask-${format}.jsonl`);
      await exportOk(["sft-ask", sessionsFile, "--format", format, "--out", out]);
      readJsonl(out).forEach((rec, i) => {
        expect(rec.messages[0]).toEqual({ role: "system", content: PARROT_ASK_SYSTEM_PROMPT });
        const queries = sessions[i].messages.filter((m) => m.role === "user").map((m) => m.content);
        const assistant = rec.messages.filter((m: { role: string }) => m.role === "assistant");
        expect(assistant.map((m: { content: string }) => m.content)).toEqual(queries);
        if (format === "openai") for (const m of assistant) expect(m.weight).toBe(1);
        expect(rec.messages[rec.messages.length - 1].role).toBe("assistant");
      });
    }
  });

  it("axolotl: original roles, train flags on user queries only", async () => {
    const out = path.join(dir, "ask-axolotl.jsonl");
    await exportOk(["sft-ask", sessionsFile, "--format", "axolotl", "--out", out]);
    for (const rec of readJsonl(out)) {
      expect(rec.messages[0]).toEqual({ role: "system", content: PARROT_ASK_SYSTEM_PROMPT, train: false });
      for (const m of rec.messages.slice(1)) expect(m.train).toBe(m.role === "user");
    }
  });

  it("llama-factory: B.1 in the first human turn, queries in gpt turns, even length", async () => {
    const out = path.join(dir, "ask-lf.jsonl");
    await exportOk(["sft-ask", sessionsFile, "--format", "llama-factory", "--out", out]);
    readJsonl(out).forEach((rec, i) => {
      expect(rec.conversations[0]).toEqual({ from: "human", value: PARROT_ASK_SYSTEM_PROMPT });
      const gpt = rec.conversations.filter((m: { from: string }) => m.from === "gpt").map((m: { value: string }) => m.value);
      expect(gpt).toEqual(sessions[i].messages.filter((m) => m.role === "user").map((m) => m.content));
      expect(rec.conversations.length % 2).toBe(0);
    });
  });

  it("tokens: {input_ids, labels} of equal length, labels -100 or the id", async () => {
    const out = path.join(dir, "ask-tokens.jsonl");
    const r = await exportOk(["sft-ask", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out]);
    expect(r.stderr).toMatch(/span boundaries inside a token: 0/);
    for (const rec of readJsonl(out)) {
      expect(Object.keys(rec).sort()).toEqual(["input_ids", "labels"]);
      expect(rec.labels.length).toBe(rec.input_ids.length);
      rec.labels.forEach((l: number, k: number) => expect(l === -100 || l === rec.input_ids[k]).toBe(true));
    }
  });

  it("tokens: --max-length drops over-long records, --truncate cuts them, both counted", async () => {
    const drop = path.join(dir, "ask-drop.jsonl");
    const r1 = await exportOk(["sft-ask", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", drop, "--max-length", "300"]);
    const m = /(\d+) too long \(dropped\)/.exec(r1.stderr);
    expect(Number(m?.[1])).toBeGreaterThan(0);
    expect(readJsonl(drop).length).toBe(sessions.length - Number(m![1]));
    const cut = path.join(dir, "ask-cut.jsonl");
    const r2 = await exportOk(["sft-ask", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", cut, "--max-length", "300", "--truncate"]);
    expect(r2.stderr).toMatch(/truncated/);
    for (const rec of readJsonl(cut)) expect(rec.input_ids.length).toBeLessThanOrEqual(300);
  });
});

describe("tokens: every record accounted for", () => {
  /** The numbers of the tokens summary line: in, written, too long, truncated, dropped with reasons. */
  const tokensLine = (stderr: string) => {
    const m = /tokens: (\d+) in, (\d+) written; max length (\d+): (\d+) too long(?: \((dropped)\)|: (\d+) truncated, (\d+) dropped \(([^)]*)\))/.exec(stderr);
    expect(m, stderr).not.toBeNull();
    return { in: Number(m![1]), written: Number(m![2]), tooLong: Number(m![4]), truncated: Number(m![6] ?? 0), dropped: m![5] ? Number(m![4]) : Number(m![7] ?? 0), reasons: m![8] ?? "" };
  };

  it("--truncate: a record with nothing left to train after the cut is dropped and counted with its reason", async () => {
    const out = path.join(dir, "chat-cut64.jsonl");
    const r = await exportOk(["sft-chat", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out, "--max-length", "64", "--truncate"]);
    const t = tokensLine(r.stderr);
    const lines = readJsonl(out);
    expect(t.in).toBe(sessions.length);
    expect(t.written).toBe(lines.length);
    expect(t.in).toBe(t.written + t.dropped);
    expect(t.tooLong).toBe(t.truncated + t.dropped);
    expect(t.dropped).toBeGreaterThan(0);
    expect(t.reasons).toBe(`${t.dropped} no trained token within the first 64`);
    expect(r.stderr).toContain(`wrote ${lines.length} records`);
    for (const rec of lines) expect(rec.labels.some((l: number) => l !== -100)).toBe(true);
  });

  it("without --truncate every over-long record is dropped and counted", async () => {
    const out = path.join(dir, "chat-drop64.jsonl");
    const r = await exportOk(["sft-chat", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out, "--max-length", "300"]);
    const t = tokensLine(r.stderr);
    expect(t.in).toBe(sessions.length);
    expect(t.written).toBe(readJsonl(out).length);
    expect(t.in).toBe(t.written + t.tooLong);
  });

  it("dpo --truncate: a pair whose responses alone fill the length is dropped and counted", async () => {
    const out = path.join(dir, "dpo-cut.jsonl");
    const query = "Please explain in detail how volcanoes form, why some of them erupt explosively and others do not, and what the warning signs are.";
    const pair = (id: string, chosen: string) => ({ id, session_id: id, turn: 2, strategy: "context-neglect", prompt: [{ role: "user", content: "Tell me about volcanoes." }, { role: "assistant", content: "They are vents." }, { role: "user", content: query }], chosen, rejected: "No idea.", meta: {} });
    const cutPairs = path.join(dir, "cut-pairs.jsonl");
    fs.writeFileSync(cutPairs, [pair("short", "Magma rises."), pair("long", "word ".repeat(80).trim())].map((p) => JSON.stringify(p)).join("\n") + "\n");
    const r = await exportOk(["dpo", cutPairs, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out, "--max-length", "40", "--truncate"]);
    const t = tokensLine(r.stderr);
    const lines = readJsonl(out);
    expect(t.written).toBe(lines.length);
    expect(t.in).toBe(t.written + t.dropped);
    expect(t.dropped).toBeGreaterThan(0);
    expect(t.in).toBe(2);
    expect(t.written).toBe(1);
    expect(t.reasons).toBe("1 no room for the prompt within 40 tokens");
    for (const rec of lines) expect(rec.prompt_input_ids.length).toBeGreaterThan(0);
  });
});

describe("dpo formats", () => {
  it("trl, axolotl, llama-factory and openai shapes", async () => {
    const pairs = readJsonl(pairsFile);
    const o = (f: string) => path.join(dir, `dpo-${f}.jsonl`);
    for (const f of ["trl", "axolotl", "llama-factory", "openai", "tokens"]) {
      const extra = f === "tokens" ? ["--tokenizer", TOKENIZER] : [];
      await exportOk(["dpo", pairsFile, "--format", f, "--out", o(f), ...extra]);
    }
    readJsonl(o("trl")).forEach((r, i) => {
      expect(r).toEqual({ prompt: pairs[i].prompt, chosen: [{ role: "assistant", content: pairs[i].chosen }], rejected: [{ role: "assistant", content: pairs[i].rejected }] });
    });
    readJsonl(o("axolotl")).forEach((r, i) => {
      expect(r).toEqual({ messages: pairs[i].prompt, chosen: { role: "assistant", content: pairs[i].chosen }, rejected: { role: "assistant", content: pairs[i].rejected } });
    });
    readJsonl(o("openai")).forEach((r, i) => {
      expect(r).toEqual({
        input: { messages: pairs[i].prompt },
        preferred_output: [{ role: "assistant", content: pairs[i].chosen }],
        non_preferred_output: [{ role: "assistant", content: pairs[i].rejected }],
      });
    });
    readJsonl(o("llama-factory")).forEach((r, i) => {
      expect(r.chosen).toEqual({ from: "gpt", value: pairs[i].chosen });
      expect(r.conversations[r.conversations.length - 1]).toEqual({ from: "human", value: pairs[i].prompt[2].content });
    });
    const info = JSON.parse(fs.readFileSync(path.join(dir, "dataset_info.json"), "utf8"));
    expect(info["dpo-llama-factory"]).toMatchObject({ ranking: true, columns: { messages: "conversations", chosen: "chosen", rejected: "rejected" } });
    for (const r of readJsonl(o("tokens"))) expect(Object.keys(r).sort()).toEqual(["chosen_input_ids", "prompt_input_ids", "rejected_input_ids"]);
  });

  it("--strategies keeps only the selected negative types (Table 6)", async () => {
    const out = path.join(dir, "dpo-neglect.jsonl");
    const r = await exportOk(["dpo", pairsFile, "--format", "trl", "--out", out, "--strategies", "context-neglect"]);
    expect(readJsonl(out).length).toBe(3);
    expect(r.stderr).toContain("6 of other strategies left out");
  });
});

describe("bad input", () => {
  it("a bad pair names file, line and field, and writes nothing", async () => {
    const bad = path.join(dir, "bad-pairs.jsonl");
    const lines = fs.readFileSync(pairsFile, "utf8").trim().split("\n");
    const broken = JSON.parse(lines[1]);
    broken.strategy = "context-confusion";
    lines[1] = JSON.stringify(broken);
    fs.writeFileSync(bad, lines.join("\n") + "\n");
    const out = path.join(dir, "never.jsonl");
    const r = await runCliInProcess(["export", "dpo", bad, "--format", "trl", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-pairs\.jsonl:2: field "strategy"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("flags are checked: unknown format, tokens without tokenizer, unknown strategy, misplaced flags", async () => {
    const out = path.join(dir, "never2.jsonl");
    const cases: Array<[string[], RegExp]> = [
      [["sft-chat", sessionsFile, "--format", "alpaca", "--out", out], /unknown format "alpaca"/],
      [["sft-chat", sessionsFile, "--format", "tokens", "--out", out], /--format tokens needs --tokenizer/],
      [["dpo", pairsFile, "--format", "trl", "--out", out, "--strategies", "context-nonsense"], /unknown strategy "context-nonsense"/],
      [["dpo", pairsFile, "--format", "trl", "--out", out, "--max-turns", "2"], /--max-turns applies to sft/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCliInProcess(["export", ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("preview", () => {
  it("marks the trained text with «...» when stdout is not a TTY", async () => {
    const r = await runCliInProcess(["export", "preview", "sft-ask", sessionsFile, "--tokenizer", TOKENIZER, "--index", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const q = sessions[1].messages[0].content;
    expect(r.stdout).toContain(`« ${q} [ASSISTANT]»`);
    expect(r.stdout).not.toContain("\x1b[");
    const c = await runCliInProcess(["export", "preview", "sft-chat", sessionsFile, "--tokenizer", TOKENIZER]);
    expect(c.stdout).toContain(`«${sessions[0].messages[1].content}<|im_end|>»`);
    const d = await runCliInProcess(["export", "preview", "dpo", pairsFile, "--index", "2"]);
    expect(d.stdout).toMatch(/‹A generic answer 0 that ignores the conversation\.›/);
  });
});
