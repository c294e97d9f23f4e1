import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readConversations, seedQuery } from "../src/conversations/readers.js";
import { readSessionFile } from "../src/conversations/session.js";
import { usableSeeds } from "../src/collect/seeds.js";
import { InputError } from "../src/io/errors.js";
import { SHARED } from "./support/cli.js";

const dialogues = path.join(SHARED, "data/dialogues");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "parrot-readers-"));

function write(dir: string, name: string, text: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe("conversation readers on real files", () => {
  it("reads the ShareGPT sample (1,000 segments: 661 start with the user, 1 with a system prompt then the user)", () => {
    const sessions = readConversations(path.join(dialogues, "sharegpt_v3_sample.jsonl"));
    expect(sessions).toHaveLength(1000);
    expect(sessions.filter((s) => seedQuery(s) !== undefined).length).toBeGreaterThan(600);
    expect(sessions.filter((s) => s.messages[0]?.role === "user").length).toBe(662);
    // The one segment starting with a system message keeps it out of `messages`.
    expect(sessions.filter((s) => s.system !== undefined).length).toBe(1);
    const human = sessions.reduce((n, s) => n + s.messages.filter((m) => m.role === "user").length, 0);
    expect(human).toBe(3528);
  });

  it("reads OpenAssistant trees as root-to-leaf paths (626 paths, max 6 messages)", () => {
    const sessions = readConversations(path.join(dialogues, "oasst_en_100_tree.jsonl"));
    expect(sessions).toHaveLength(626);
    expect(Math.max(...sessions.map((s) => s.messages.length))).toBe(6);
    const mean = sessions.reduce((n, s) => n + s.messages.length, 0) / sessions.length;
    expect(mean).toBeCloseTo(3.51, 2);
    // Every path starts at the root prompt; seeds are de-duplicated by query (one per tree).
    expect(sessions.every((s) => s.messages[0].role === "user")).toBe(true);
    expect(usableSeeds(sessions)).toHaveLength(100);
  });

  it("reads OpenAI-style messages JSONL, moving system prompts aside", () => {
    const d = tmp();
    const f = write(d, "m.jsonl", [
      JSON.stringify({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi there" }, { role: "assistant", content: "Hello" }] }),
      JSON.stringify({ id: "x", messages: [{ role: "user", content: [{ type: "text", text: "parts" }] }] }),
    ].join("\n"));
    const s = readConversations(f);
    expect(s[0].system).toBe("Be brief.");
    expect(s[0].messages).toEqual([{ role: "user", content: "Hi there" }, { role: "assistant", content: "Hello" }]);
    expect(s[1].id).toBe("x");
    expect(s[1].messages[0].content).toBe("parts");
  });

  it("reads ShareGPT as a JSON array", () => {
    const d = tmp();
    const f = write(d, "a.json", JSON.stringify([{ id: "a", conversations: [{ from: "human", value: "q" }, { from: "gpt", value: "r" }] }]));
    expect(readConversations(f)[0].messages).toEqual([{ role: "user", content: "q" }, { role: "assistant", content: "r" }]);
  });
});

describe("malformed input names file, line and field", () => {
  const d = tmp();
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ["badjson.jsonl", `{"id":"a","conversations":[]}\n{"id": oops}\n`, /badjson\.jsonl:2: not valid JSON/],
    ["badrole.jsonl", `{"id":"a","conversations":[{"from":"human","value":"q"},{"from":"robot","value":"r"}]}\n`, /badrole\.jsonl:1: field "conversations\[1\]\.from"/],
    ["badtype.jsonl", `{"id":"a","conversations":[{"from":"human","value":3}]}\n`, /badtype\.jsonl:1: field "conversations\[0\]\.value"/],
    ["nonutf8.jsonl", Buffer.concat([Buffer.from(`{"id":"a","conversations":[]}\n{"id":"b","conversations":[{"from":"human","value":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`"}]}\n`)]), /nonutf8\.jsonl:2: not valid UTF-8/],
    ["unknown.jsonl", `{"foo": 1}\n`, /unknown\.jsonl:1: unknown conversation format/],
  ];
  for (const [name, text, re] of cases) {
    it(name, () => {
      const f = write(d, name, text);
      expect(() => readConversations(f)).toThrow(re);
    });
  }

  it("our session records: roles out of order, empty turns, duplicate ids", () => {
    const f1 = write(d, "order.jsonl", JSON.stringify({ id: "s", messages: [{ role: "assistant", content: "x" }], meta: {} }) + "\n");
    expect(() => readSessionFile(f1)).toThrow(/order\.jsonl:1: field "messages\[0\]\.role"/);
    const f2 = write(d, "empty.jsonl", JSON.stringify({ id: "s", messages: [{ role: "user", content: " " }], meta: {} }) + "\n");
    expect(() => readSessionFile(f2)).toThrow(/empty\.jsonl:1: field "messages\[0\]\.content": empty message/);
    const rec = JSON.stringify({ id: "s", messages: [{ role: "user", content: "q" }], meta: {} });
    const f3 = write(d, "dup.jsonl", `${rec}\n${rec}\n`);
    expect(() => readSessionFile(f3)).toThrow(/dup\.jsonl:2: field "id": duplicate/);
    expect(() => readSessionFile(f3)).toThrow(InputError);
  });

  it("missing file", () => {
    expect(() => readConversations(path.join(d, "nope.jsonl"))).toThrow(/nope\.jsonl: no such file/);
  });
});

/** An OpenAssistant tree that is one chain `depth` messages deep (prompter, assistant, ...); `branchAt` adds a leaf. */
function deepTree(depth: number, opts: { deletedAt?: number; badAt?: number; branchAt?: number } = {}): string {
  // Built as text, innermost first: JSON.stringify of a 20,000-level object would itself overflow the stack.
  let inner = "";
  for (let d = depth - 1; d >= 0; d--) {
    const role = d === opts.badAt ? "robot" : d % 2 === 0 ? "prompter" : "assistant";
    const extra = d === opts.branchAt ? `{"message_id":"side${d}","text":"side reply ${d}","role":"${d % 2 === 0 ? "assistant" : "prompter"}"}` : "";
    const replies = [inner, extra].filter(Boolean).join(",");
    inner = `{"message_id":"m${d}","text":"message ${d}","role":"${role}"${d === opts.deletedAt ? ',"deleted":true' : ""},"replies":[${replies}]}`;
  }
  return `{"message_tree_id":"deep","prompt":${inner}}\n`;
}

describe("deep OpenAssistant trees (walked iteratively)", () => {
  it("a 20,000-level tree reads as its root-to-leaf paths, without a stack overflow", () => {
    const d = tmp();
    const f = write(d, "deep.jsonl", deepTree(20_000, { branchAt: 3 }));
    const sessions = readConversations(f);
    expect(sessions).toHaveLength(2);
    const long = sessions.find((s) => s.messages.length === 20_000)!;
    expect(long.messages[0]).toEqual({ role: "user", content: "message 0" });
    expect(long.messages[19_999]).toEqual({ role: "assistant", content: "message 19999" });
    expect(long.messages.every((m, i) => m.role === (i % 2 === 0 ? "user" : "assistant"))).toBe(true);
    expect(long.meta.source).toMatchObject({ format: "oasst", leaf: "m19999" });
    const side = sessions.find((s) => s.messages.length === 5)!;
    expect(side.messages.map((m) => m.content)).toEqual(["message 0", "message 1", "message 2", "message 3", "side reply 3"]);
    expect(side.meta.source).toMatchObject({ leaf: "side3" });
  });

  it("a deleted node cuts its subtree; a bad role 15,000 levels down names the record and the field", () => {
    const d = tmp();
    const cut = readConversations(write(d, "cut.jsonl", deepTree(20_000, { deletedAt: 4 })));
    expect(cut.map((s) => s.messages.length)).toEqual([4]);
    const bad = write(d, "bad.jsonl", deepTree(20_000, { badAt: 15_000 }));
    expect(() => readConversations(bad)).toThrow(InputError);
    expect(() => readConversations(bad)).toThrow(/bad\.jsonl:1: field "prompt\.replies\[0\]\.replies\[0\].*\.role": expected "prompter" or "assistant"/);
    try {
      readConversations(bad);
    } catch (err) {
      // The field path is shortened, not 15,000 segments long.
      expect((err as Error).message.length).toBeLessThan(400);
      expect((err as Error).message).toMatch(/15000 levels down/);
    }
  });
});
