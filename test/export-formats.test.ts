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
import { PARROT_ASK_SYSTEM_PROMPT, renderParrotAskTranscript } from "../src/collect/prompts.js";
import { loadTokenizer } from "../src/export/tokenizer.js";
import { readJsonl } from "./support/jsonl.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
let dir: string;
let sessionsFile: string;
let pairsFile: string;
let sessions: TrainingSession[];

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
      // Finding 2: dataset_info.json maps a system column, so every row carries one ("" when the session has none).
      expect(typeof rec.system).toBe("string");
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

describe("sft-ask formats (finding 1: the B.1 text that collect --simulator parrot-ask sends, finding 9)", () => {
  // The B.1 transcript up to the last query: `<B.1> [USER] q1 [ASSISTANT] r1 [USER] ... qn [ASSISTANT]`.
  const transcript = (s: TrainingSession) => {
    const { text, querySpans } = renderParrotAskTranscript(s.messages);
    return { text: text.slice(0, querySpans[querySpans.length - 1].end), trained: querySpans.map((q) => text.slice(q.start, q.end)) };
  };

  it("trl: pre-tokenized {input_ids, labels}, identical to --format tokens; without --tokenizer a clear error", async () => {
    const bad = await runCliInProcess(["export", "sft-ask", sessionsFile, "--format", "trl", "--out", path.join(dir, "ask-trl-none.jsonl")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sft-ask --format trl is pre-tokenized in the B\.1 text format.*--tokenizer DIR/);
    expect(fs.existsSync(path.join(dir, "ask-trl-none.jsonl"))).toBe(false);
    const trl = path.join(dir, "ask-trl.jsonl");
    const tokens = path.join(dir, "ask-tokens-same.jsonl");
    await exportOk(["sft-ask", sessionsFile, "--format", "trl", "--tokenizer", TOKENIZER, "--out", trl]);
    await exportOk(["sft-ask", sessionsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", tokens]);
    expect(fs.readFileSync(trl, "utf8")).toBe(fs.readFileSync(tokens, "utf8"));
    const tok = loadTokenizer(TOKENIZER);
    readJsonl(trl).forEach((rec, i) => {
      expect(tok.tokenizer.decode(rec.input_ids, { skip_special_tokens: false })).toBe(transcript(sessions[i]).text);
    });
  });

  it("openai: roles swapped, and the summary says plainly it cannot serve the B.1 completion simulator", async () => {
    const out = path.join(dir, "ask-openai.jsonl");
    const r = await exportOk(["sft-ask", sessionsFile, "--format", "openai", "--out", out]);
    expect(r.stderr).toMatch(/a chat fine-tune cannot serve `collect --simulator parrot-ask`/);
    readJsonl(out).forEach((rec, i) => {
      expect(rec.messages[0]).toEqual({ role: "system", content: PARROT_ASK_SYSTEM_PROMPT });
      const queries = sessions[i].messages.filter((m) => m.role === "user").map((m) => m.content);
      const assistant = rec.messages.filter((m: { role: string }) => m.role === "assistant");
      expect(assistant.map((m: { content: string }) => m.content)).toEqual(queries);
      for (const m of assistant) expect(m.weight).toBe(1);
    });
  });

  it("axolotl: input_output segments that join to the B.1 transcript, trained exactly on each ' q_i [ASSISTANT]', no last response", async () => {
    const out = path.join(dir, "ask-axolotl.jsonl");
    await exportOk(["sft-ask", sessionsFile, "--format", "axolotl", "--out", out]);
    readJsonl(out).forEach((rec, i) => {
      const t = transcript(sessions[i]);
      expect(Object.keys(rec)).toEqual(["segments"]);
      expect(rec.segments.map((g: { text: string }) => g.text).join("")).toBe(t.text);
      expect(rec.segments.filter((g: { label: boolean }) => g.label).map((g: { text: string }) => g.text)).toEqual(t.trained);
      expect(rec.segments[0]).toEqual({ text: `${PARROT_ASK_SYSTEM_PROMPT} [USER]`, label: false });
      // Finding 9: the text ends with the last trained query; the final response is not carried.
      const last = sessions[i].messages[sessions[i].messages.length - 1].content;
      expect(rec.segments[rec.segments.length - 1].label).toBe(true);
      expect(t.text.endsWith(last)).toBe(false);
    });
  });

  it("llama-factory: the same segments as human/gpt turns (template: empty), no system column", async () => {
    const sub = path.join(dir, "lf-ask");
    fs.mkdirSync(sub, { recursive: true });
    const out = path.join(sub, "ask-lf.jsonl");
    await exportOk(["sft-ask", sessionsFile, "--format", "llama-factory", "--out", out]);
    readJsonl(out).forEach((rec, i) => {
      const t = transcript(sessions[i]);
      expect(rec.conversations.map((m: { value: string }) => m.value).join("")).toBe(t.text);
      expect(rec.conversations.filter((m: { from: string }) => m.from === "gpt").map((m: { value: string }) => m.value)).toEqual(t.trained);
      rec.conversations.forEach((m: { from: string }, k: number) => expect(m.from).toBe(k % 2 === 0 ? "human" : "gpt"));
    });
    const info = JSON.parse(fs.readFileSync(path.join(sub, "dataset_info.json"), "utf8"));
    expect(info["ask-lf"].columns).toEqual({ messages: "conversations" });
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
});

describe("dpo formats", () => {
  it("trl, axolotl, llama-factory and openai shapes", async () => {
    const pairs = readJsonl(pairsFile);
    const o = (f: string) => path.join(dir, `dpo-${f}.jsonl`);
    for (const f of ["trl", "axolotl", "llama-factory", "openai"]) await exportOk(["dpo", pairsFile, "--format", f, "--out", o(f)]);
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
    expect(info["dpo-llama-factory"]).toMatchObject({ ranking: true, columns: { messages: "conversations", system: "system", chosen: "chosen", rejected: "rejected" } });
    // Finding 2: the mapped system column is in every row (LLaMA-Factory's converter reads it from each).
    for (const r of readJsonl(o("llama-factory"))) expect(r.system).toBe("");
  });

  it("finding 4: --format tokens for dpo is refused (no engine reads pre-tokenized pairs)", async () => {
    const out = path.join(dir, "dpo-tokens.jsonl");
    const r = await runCliInProcess(["export", "dpo", pairsFile, "--format", "tokens", "--tokenizer", TOKENIZER, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no DPO engine reads pre-tokenized pairs \(TRL >= 1\.0/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("finding 3: prompts that start with an assistant message lose it in every format; system messages stay first", async () => {
    const s = sessions.find((x) => x.messages.length >= 6)!;
    const pair = { id: "a1", session_id: s.id, turn: 2, strategy: "context-neglect", prompt: [{ role: "system", content: "Be brief." }, ...s.messages.slice(1, 5)], chosen: "ok", rejected: "no", meta: {} };
    expect(pair.prompt[1].role).toBe("assistant");
    const f = path.join(dir, "pairs-assistant-first.jsonl");
    fs.writeFileSync(f, JSON.stringify(pair) + "\n");
    const want = [{ role: "system", content: "Be brief." }, ...s.messages.slice(2, 5)];
    const out = (x: string) => path.join(dir, `af-${x}.jsonl`);
    for (const x of ["trl", "axolotl", "llama-factory", "openai"]) {
      const r = await exportOk(["dpo", f, "--format", x, "--out", out(x)]);
      expect(r.stderr).toMatch(/prompts starting with an assistant message: 1/);
    }
    expect(readJsonl(out("trl"))[0].prompt).toEqual(want);
    expect(readJsonl(out("axolotl"))[0].messages).toEqual(want);
    expect(readJsonl(out("openai"))[0].input.messages).toEqual(want);
    const lf = readJsonl(out("llama-factory"))[0];
    expect(lf.system).toBe("Be brief.");
    expect(lf.conversations[0].from).toBe("human");
    expect(lf.conversations.length % 2).toBe(1);
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
