/**
 * `parrot models smoke`: the GGUF v3 writer, the smoke model's metadata as node-llama-cpp reads it, tokenization
 * parity with @huggingface/tokenizers on the real SmolLM2 tokenizer.json, and the CLI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGgufModel, type GgufModel } from "../src/llm/gguf.js";
import { encodeGguf, float32ToFloat16Bits, GGMLType } from "../src/models/gguf-writer.js";
import { detectPreTokenizer, writeSmokeModel } from "../src/models/smoke.js";
import { runCli } from "./support/cli.js";
import { getSmokeModelPath, SMOKE_TOKENIZER_DIR } from "./support/smoke-model.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-smoke-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("GGUF writer", () => {
  it("encodes float16 like IEEE binary16 (round to nearest even, subnormals, overflow)", () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(1e-9)).toBe(0);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
  });

  it("writes the v3 header, typed KVs and 32-byte aligned tensor data", () => {
    const buf = encodeGguf({ "general.architecture": { type: "string", value: "llama" } }, [
      { name: "a", dims: [3], type: GGMLType.F32, data: new Float32Array([1, 2, 3]) },
      { name: "b", dims: [2, 1], type: GGMLType.F16, data: new Float32Array([1, -2]) },
    ]);
    expect(buf.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(buf.readUInt32LE(4)).toBe(3);
    expect(Number(buf.readBigUInt64LE(8))).toBe(2); // tensors
    expect(Number(buf.readBigUInt64LE(16))).toBe(2); // kvs: architecture + general.alignment
    // data section: tensor a at 0 (12 bytes), b at 32 (aligned)
    const dataStart = buf.length - 64;
    expect(dataStart % 32).toBe(0);
    expect(buf.readFloatLE(dataStart + 8)).toBe(3);
    expect(buf.readUInt16LE(dataStart + 32)).toBe(0x3c00);
    expect(buf.readUInt16LE(dataStart + 34)).toBe(0xc000);
  });

  it("detects llama.cpp's pre-tokenizer name from tokenizer.json", () => {
    const tok = JSON.parse(fs.readFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer.json"), "utf8"));
    expect(detectPreTokenizer(tok.pre_tokenizer)).toBe("smollm");
    expect(detectPreTokenizer({ type: "ByteLevel", add_prefix_space: false })).toBe("gpt2");
  });
});

describe("smoke model", () => {
  let file: string;
  let model: GgufModel;
  let hf: Tokenizer;
  beforeAll(async () => {
    file = getSmokeModelPath();
    model = await createGgufModel({ kind: "gguf", path: file }, {});
    hf = new Tokenizer(
      JSON.parse(fs.readFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer.json"), "utf8")),
      JSON.parse(fs.readFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer_config.json"), "utf8")),
    );
  });
  afterAll(async () => model?.close());

  it("is a small llama GGUF with the tokenizer's vocabulary, merges, special ids and chat template", async () => {
    expect(fs.statSync(file).size).toBeLessThan(50e6);
    const info = await readGgufFileInfo(file, { readTensorInfo: true });
    const md = info.metadata as any;
    expect(info.version).toBe(3);
    expect(md.general.architecture).toBe("llama");
    expect(md.tokenizer.ggml.model).toBe("gpt2");
    expect(md.tokenizer.ggml.pre).toBe("smollm");
    expect(md.tokenizer.ggml.tokens.length).toBe(49152);
    expect(md.tokenizer.ggml.tokens[1]).toBe("<|im_start|>");
    expect(md.tokenizer.ggml.merges.length).toBe(48900);
    expect(md.tokenizer.ggml.token_type[2]).toBe(3); // <|im_end|> is a control token
    expect(md.tokenizer.ggml.bos_token_id).toBe(1);
    expect(md.tokenizer.ggml.eos_token_id).toBe(2);
    const cfg = JSON.parse(fs.readFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer_config.json"), "utf8"));
    expect(md.tokenizer.chat_template).toBe(cfg.chat_template);
    const names = info.fullTensorInfo!.map((t) => t.name);
    expect(names).toContain("token_embd.weight");
    expect(names).toContain("blk.1.ffn_down.weight");
    expect(names.at(-1)).toBe("output_norm.weight");
    const embd = info.fullTensorInfo!.find((t) => t.name === "token_embd.weight")!;
    expect(embd.dimensions.map(Number)).toEqual([64, 49152]);
    expect(model.info.vocabSize).toBe(49152);
    expect(model.info.chatWrapper).toBe("JinjaTemplateChatWrapper");
  });

  it("tokenizes like @huggingface/tokenizers on the real tokenizer.json", () => {
    const texts = [
      "Hello world",
      "Hello world! How are you doing today?",
      "Prices rose 12345 points in 2024, didn't they?",
      "  leading spaces\n\nand\ttabs, émigré naïve café 東京",
      "def f(x):\n    return x**2  # square",
    ];
    for (const text of texts) {
      expect(model.tokenize(text), text).toEqual(hf.encode(text, { add_special_tokens: false }).ids);
    }
  });

  it("writes the same bytes for the same seed and different weights for another seed", () => {
    const a = path.join(tmp, "a.gguf");
    const b = path.join(tmp, "b.gguf");
    writeSmokeModel({ tokenizerDir: SMOKE_TOKENIZER_DIR, out: a, seed: 0 });
    writeSmokeModel({ tokenizerDir: SMOKE_TOKENIZER_DIR, out: b, seed: 1 });
    expect(fs.readFileSync(a).equals(fs.readFileSync(file))).toBe(true);
    expect(fs.readFileSync(b).equals(fs.readFileSync(a))).toBe(false);
    expect(fs.statSync(b).size).toBe(fs.statSync(a).size);
  });

  it("rejects a tokenizer folder without a chat template, naming the file, and writes nothing", () => {
    const dir = path.join(tmp, "tok-no-template");
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(SMOKE_TOKENIZER_DIR, "tokenizer.json"), path.join(dir, "tokenizer.json"));
    fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ bos_token: "<|im_start|>" }));
    const out = path.join(tmp, "none.gguf");
    expect(() => writeSmokeModel({ tokenizerDir: dir, out })).toThrow(/tokenizer_config\.json: field "chat_template"/);
    expect(fs.existsSync(out)).toBe(false);
    expect(() => writeSmokeModel({ tokenizerDir: SMOKE_TOKENIZER_DIR, out, embd: 40 })).toThrow(/--embd 40/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("parrot models smoke (CLI)", () => {
  it("writes a loadable GGUF under 50 MB and exits 0", async () => {
    const out = path.join(tmp, "cli.gguf");
    const r = await runCli(["models", "smoke", "--tokenizer", SMOKE_TOKENIZER_DIR, "--out", out, "--seed", "3", "--layers", "1"]);
    expect(r.stderr).toMatch(/wrote .*cli\.gguf: \d+\.\d MB, llama, vocab 49152/);
    expect(r.code).toBe(0);
    expect(fs.statSync(out).size).toBeLessThan(50e6);
    const info = await readGgufFileInfo(out);
    expect((info.metadata as any).llama.block_count).toBe(1);
  });

  it("fails with one line and no output file for a missing tokenizer folder or a bad flag", async () => {
    const out = path.join(tmp, "bad.gguf");
    let r = await runCli(["models", "smoke", "--tokenizer", path.join(tmp, "nope"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^parrot: error: --tokenizer .*nope: not a directory\n$/);
    r = await runCli(["models", "smoke", "--tokenizer", SMOKE_TOKENIZER_DIR, "--out", out, "--layers", "two"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--layers "two": expected a non-negative integer/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
