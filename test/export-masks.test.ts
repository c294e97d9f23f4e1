/**
 * Loss masks on the real SmolLM2 tokenizer and real ShareGPT sessions: the trained token runs must decode to
 * exactly the assistant responses + end-of-turn token (sft-chat, Eq. 2) or exactly the Parrot-Ask query spans
 * ` q [ASSISTANT]` (sft-ask, Eq. 3), with nothing else trained.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SHARED } from "./support/cli.js";
import { readConversations } from "../src/conversations/readers.js";
import { cleanSession, type TrainingSession } from "../src/export/data.js";
import { tokensSftRecord } from "../src/export/formats.js";
import { IGNORE_INDEX, labelRuns, loadTokenizer, maskText, type ModelTokenizer } from "../src/export/tokenizer.js";
import { ASSISTANT_MARKER, PARROT_ASK_SYSTEM_PROMPT, USER_MARKER } from "../src/collect/prompts.js";

const TOKENIZER = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
// Plain, code-heavy (```), non-Latin script and emoji sessions of the sample; two start with the assistant.
const IDS = ["0487PFE_7", "1zkKpI8_0", "2MtsVzi_8", "73d8TQt_0", "2kchjuz_9", "MNDERFG_22", "OGZzGzB_15", "b803fL7_0"];
const SMOL_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

let tok: ModelTokenizer;
let sessions: TrainingSession[];

beforeAll(() => {
  tok = loadTokenizer(TOKENIZER);
  const all = readConversations(SHAREGPT);
  sessions = IDS.map((id) => {
    const s = all.find((x) => x.id === id);
    if (!s) throw new Error(`session ${id} missing from the sample`);
    const c = cleanSession(s);
    if (!c.session) throw new Error(`session ${id} unusable: ${c.skip}`);
    return c.session;
  });
});

const trainedRuns = (m: { input_ids: number[]; labels: number[] }) => labelRuns(tok, m).filter((r) => r.trained).map((r) => r.text);

describe("sft-chat token masks (Eq. 2)", () => {
  it("the sample covers code, non-Latin and emoji text", () => {
    const text = sessions.map((s) => s.messages.map((m) => m.content).join(" ")).join(" ");
    expect(text).toContain("```");
    expect(text).toMatch(/[\u4e00-\u9fff\uac00-\ud7af\u0400-\u04ff]/);
    expect(text).toMatch(/\p{Extended_Pictographic}/u);
  });

  it("trained runs decode to exactly each assistant response followed by <|im_end|>", () => {
    for (const s of sessions) {
      const r = tokensSftRecord("sft-chat", tok, s);
      const expected = s.messages.filter((m) => m.role === "assistant").map((m) => `${m.content}<|im_end|>`);
      expect(trainedRuns(r)).toEqual(expected);
      expect(r.straddled).toBe(0);
    }
  });

  it("labels equal input_ids where trained and -100 elsewhere; context and headers are untrained", () => {
    for (const s of sessions) {
      const r = tokensSftRecord("sft-chat", tok, s);
      expect(r.labels.length).toBe(r.input_ids.length);
      r.labels.forEach((l, k) => expect(l === IGNORE_INDEX || l === r.input_ids[k]).toBe(true));
      const untrained = labelRuns(tok, r).filter((x) => !x.trained).map((x) => x.text).join("");
      for (const q of s.messages.filter((m) => m.role === "user")) expect(untrained).toContain(q.content);
      // Every "<|im_start|>assistant\n" header stays untrained, and the end-of-turn token of user turns too.
      const imEnd = tok.tokenizer.token_to_id("<|im_end|>")!;
      const trainedEnds = r.labels.filter((l) => l === imEnd).length;
      expect(trainedEnds).toBe(s.messages.length / 2);
    }
  });

  it("input_ids are the template rendering tokenized like apply_chat_template (no extra BOS)", () => {
    const s = sessions[0];
    const r = tokensSftRecord("sft-chat", tok, s);
    const manual =
      `<|im_start|>system\n${SMOL_SYSTEM}<|im_end|>\n` +
      s.messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("");
    expect(r.text).toBe(manual);
    expect(r.input_ids).toEqual(tok.tokenizer.encode(manual, { add_special_tokens: false }).ids);
    const imStart = tok.tokenizer.token_to_id("<|im_start|>")!;
    expect(r.input_ids[0]).toBe(imStart);
    expect(r.input_ids[1]).not.toBe(imStart);
  });

  it("a session system prompt replaces the template default and is untrained", () => {
    const s = { ...sessions[3], system: "Be terse." };
    const r = tokensSftRecord("sft-chat", tok, s);
    expect(r.text.startsWith("<|im_start|>system\nBe terse.<|im_end|>\n")).toBe(true);
    expect(trainedRuns(r).join("")).not.toContain("Be terse.");
  });
});

describe("sft-ask token masks (Eq. 3, Parrot-Ask format)", () => {
  it("trained runs decode to exactly each query plus its closing [ASSISTANT] marker", () => {
    for (const s of sessions) {
      const r = tokensSftRecord("sft-ask", tok, s);
      const expected = s.messages.filter((m) => m.role === "user").map((m) => ` ${m.content} ${ASSISTANT_MARKER}`);
      expect(trainedRuns(r)).toEqual(expected);
      expect(r.straddled).toBe(0);
    }
  });

  it("is the B.1 transcript up to the last query, tokenized as raw text (SmolLM2 adds no BOS), responses untrained", () => {
    const s = sessions[1];
    const r = tokensSftRecord("sft-ask", tok, s);
    expect(r.text.startsWith(`${PARROT_ASK_SYSTEM_PROMPT} ${USER_MARKER} `)).toBe(true);
    expect(r.input_ids).toEqual(tok.tokenizer.encode(r.text, { add_special_tokens: true }).ids);
    expect(r.input_ids[0]).not.toBe(tok.tokenizer.token_to_id("<|im_start|>"));
    const untrained = labelRuns(tok, r).filter((x) => !x.trained).map((x) => x.text).join("");
    expect(untrained.startsWith(PARROT_ASK_SYSTEM_PROMPT)).toBe(true);
    const answers = s.messages.filter((m) => m.role === "assistant");
    for (const a of answers.slice(0, -1)) expect(untrained).toContain(a.content);
    // The final response is never trained and nothing follows it: the text ends with the last ` q_n [ASSISTANT]`.
    expect(r.text.endsWith(` ${ASSISTANT_MARKER}`)).toBe(true);
    expect(r.text).not.toContain(answers[answers.length - 1].content);
    expect(r.labels[r.labels.length - 1]).toBe(r.input_ids[r.input_ids.length - 1]);
  });
});

describe("span -> token mapping", () => {
  it("a boundary inside a token is counted and the straddling token left untrained", () => {
    const text = "Hello world";
    expect(tok.tokenizer.encode("Hello").ids.length).toBe(1);
    const m = maskText(tok, text, [{ start: 2, end: text.length }], true);
    expect(m.straddled).toBe(1);
    expect(trainedRuns(m)).toEqual([" world"]);
  });

  it("aligned boundaries are exact at both ends", () => {
    const text = "alpha beta gamma";
    const m = maskText(tok, text, [{ start: 5, end: 10 }], true);
    expect(m.straddled).toBe(0);
    expect(trainedRuns(m)).toEqual([" beta"]);
  });
});

