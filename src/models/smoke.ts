/**
 * `parrot models smoke`: a tiny random-weight llama-architecture GGUF that carries a real tokenizer and chat template,
 * so the local engine (node-llama-cpp) can be exercised offline in tests and users' CI. Its text is gibberish.
 *
 * Metadata keys and tensor names follow llama.cpp (gguf-py/gguf/constants.py, `MODEL_ARCH.LLAMA`; the HF→GGUF
 * conversion in convert_hf_to_gguf.py `LlamaModel` and `_set_vocab_gpt2`):
 *   token_embd.weight [n_embd, n_vocab]; blk.N.attn_norm.weight [n_embd]; blk.N.attn_q.weight [n_embd, n_embd];
 *   blk.N.attn_k/attn_v.weight [n_embd, n_kv_head·head_dim]; blk.N.attn_output.weight [n_embd, n_embd];
 *   blk.N.ffn_norm.weight [n_embd]; blk.N.ffn_gate/ffn_up.weight [n_embd, n_ff]; blk.N.ffn_down.weight [n_ff, n_embd];
 *   output_norm.weight [n_embd]. `output.weight` is omitted: llama.cpp then ties the output to token_embd (like SmolLM2).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { mulberry32 } from "../run/rng.js";
import { GGMLType, type GgufTensor, type GgufValue, writeGgufFile } from "./gguf-writer.js";

/** llama.cpp token types (`llama_token_type`). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface SmokeModelOptions {
  /** Folder with tokenizer.json + tokenizer_config.json (config.json optional). */
  tokenizerDir: string;
  /** Output .gguf path. */
  out: string;
  /** Seed of the random weights. Default 0. */
  seed?: number;
  /** Transformer blocks. Default 2. */
  layers?: number;
  /** Embedding width; a multiple of 16 (head size 16). Default 64. */
  embd?: number;
  /** Override `tokenizer.ggml.pre` (default: detected from tokenizer.json's pre-tokenizer). */
  pre?: string;
}

export interface SmokeModelInfo {
  out: string;
  bytes: number;
  vocabSize: number;
  merges: number;
  layers: number;
  embd: number;
  heads: number;
  kvHeads: number;
  ff: number;
  contextLength: number;
  pre: string;
  bosTokenId: number;
  eosTokenId: number;
  chatTemplate: string;
}

/** The tokenizer of a Hugging Face folder, as GGUF `tokenizer.ggml.*` fields. */
export interface GgufVocab {
  tokens: string[];
  tokenTypes: Int32Array;
  merges: string[];
  pre: string;
  bosTokenId?: number;
  eosTokenId?: number;
  unkTokenId?: number;
  padTokenId?: number;
  addBos: boolean;
  addEos: boolean;
  chatTemplate: string;
  contextLength?: number;
  ropeTheta?: number;
  rmsEps?: number;
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? String(err)})`}`);
  }
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not a JSON object");
    return v as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`${file}: not a JSON object (${(err as Error).message})`);
  }
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

/** Map a tokenizer.json pre-tokenizer to llama.cpp's `tokenizer.ggml.pre` name (byte-level BPE families we know). */
export function detectPreTokenizer(preTokenizer: unknown): string {
  const list: Array<Record<string, unknown>> = [];
  const walk = (p: unknown) => {
    if (!p || typeof p !== "object") return;
    const o = p as Record<string, unknown>;
    if (o.type === "Sequence" && Array.isArray(o.pretokenizers)) o.pretokenizers.forEach(walk);
    else list.push(o);
  };
  walk(preTokenizer);
  const hasDigits = list.some((p) => p.type === "Digits" && p.individual_digits === true);
  const hasByteLevel = list.some((p) => p.type === "ByteLevel");
  // SmolLM/SmolLM2 (and StarCoder-style) tokenizers: single digits, then GPT-2 byte-level regex -> llama.cpp "smollm".
  if (hasDigits && hasByteLevel) return "smollm";
  return "gpt2";
}

/**
 * Read a Hugging Face tokenizer folder into GGUF vocab fields.
 * @throws UserError naming the file when tokenizer.json / tokenizer_config.json are missing, malformed, not a
 *   byte-level BPE, or carry no chat template.
 */
export function readTokenizerDir(dir: string, preOverride?: string): GgufVocab {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`--tokenizer ${dir}: not a directory`);
  const tokFile = path.join(dir, "tokenizer.json");
  const cfgFile = path.join(dir, "tokenizer_config.json");
  const tok = readJson(tokFile);
  const cfg = readJson(cfgFile);
  const modelCfgFile = path.join(dir, "config.json");
  const modelCfg = fs.existsSync(modelCfgFile) ? readJson(modelCfgFile) : {};

  const model = tok.model as { type?: unknown; vocab?: unknown; merges?: unknown } | undefined;
  if (!model || model.type !== "BPE") {
    throw new UserError(`${tokFile}: field "model.type": expected "BPE" (GPT-2-style byte-level BPE), got ${JSON.stringify(model?.type)}`);
  }
  if (!model.vocab || typeof model.vocab !== "object" || Array.isArray(model.vocab)) {
    throw new UserError(`${tokFile}: field "model.vocab": expected an object of token → id`);
  }
  if (!Array.isArray(model.merges)) throw new UserError(`${tokFile}: field "model.merges": expected an array`);

  const byId = new Map<number, string>();
  for (const [t, id] of Object.entries(model.vocab as Record<string, unknown>)) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) throw new UserError(`${tokFile}: field "model.vocab.${t}": expected a non-negative integer id`);
    byId.set(id, t);
  }
  const types = new Map<number, number>();
  const added = Array.isArray(tok.added_tokens) ? (tok.added_tokens as Array<Record<string, unknown>>) : [];
  added.forEach((a, i) => {
    if (typeof a.id !== "number" || typeof a.content !== "string") throw new UserError(`${tokFile}: field "added_tokens[${i}]": expected {id, content}`);
    byId.set(a.id, a.content);
    types.set(a.id, a.special ? TokenType.CONTROL : TokenType.USER_DEFINED);
  });
  const maxId = Math.max(...byId.keys());
  const declared = typeof modelCfg.vocab_size === "number" ? modelCfg.vocab_size : 0;
  const n = Math.max(maxId + 1, declared);
  const tokens: string[] = new Array(n);
  const tokenTypes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = byId.get(i);
    if (t === undefined) {
      tokens[i] = `[PAD${i}]`;
      tokenTypes[i] = TokenType.USER_DEFINED;
    } else {
      tokens[i] = t;
      tokenTypes[i] = types.get(i) ?? TokenType.NORMAL;
    }
  }
  const merges = (model.merges as unknown[]).map((m, i) => {
    if (typeof m === "string") return m;
    if (Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === "string")) return `${m[0]} ${m[1]}`;
    throw new UserError(`${tokFile}: field "model.merges[${i}]": expected "a b" or ["a", "b"]`);
  });

  const idOf = (field: string): number | undefined => {
    const content = tokenContent(cfg[field]);
    if (content === undefined) return undefined;
    const id = tokens.indexOf(content);
    if (id < 0) throw new UserError(`${cfgFile}: field "${field}": token ${JSON.stringify(content)} is not in the vocabulary`);
    return id;
  };
  const num = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : undefined);

  let chatTemplate: string | undefined;
  const ct = cfg.chat_template;
  if (typeof ct === "string") chatTemplate = ct;
  else if (Array.isArray(ct)) {
    const named = ct as Array<{ name?: unknown; template?: unknown }>;
    const def = named.find((t) => t.name === "default") ?? named[0];
    if (def && typeof def.template === "string") chatTemplate = def.template;
  }
  const jinjaFile = path.join(dir, "chat_template.jinja");
  if (chatTemplate === undefined && fs.existsSync(jinjaFile)) chatTemplate = fs.readFileSync(jinjaFile, "utf8");
  if (!chatTemplate) throw new UserError(`${cfgFile}: field "chat_template": missing (and no chat_template.jinja in ${dir})`);

  return {
    tokens,
    tokenTypes,
    merges,
    pre: preOverride ?? detectPreTokenizer(tok.pre_tokenizer),
    bosTokenId: idOf("bos_token") ?? num(modelCfg.bos_token_id),
    eosTokenId: idOf("eos_token") ?? num(modelCfg.eos_token_id),
    unkTokenId: idOf("unk_token"),
    padTokenId: idOf("pad_token") ?? num(modelCfg.pad_token_id),
    addBos: cfg.add_bos_token === true,
    addEos: cfg.add_eos_token === true,
    chatTemplate,
    contextLength: num(modelCfg.max_position_embeddings) ?? (typeof cfg.model_max_length === "number" && cfg.model_max_length < 1e7 ? cfg.model_max_length : undefined),
    ropeTheta: typeof modelCfg.rope_theta === "number" ? modelCfg.rope_theta : undefined,
    rmsEps: typeof modelCfg.rms_norm_eps === "number" ? modelCfg.rms_norm_eps : undefined,
  };
}

/** Standard deviation of token embeddings (also the tied output projection). */
export const EMBD_STD = 0.05;

/** Standard-normal samples × std from a seeded generator (Box-Muller over mulberry32). */
function randomNormal(n: number, std: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new UserError(`--${name} ${v}: expected an integer in [${min}, ${max}]`);
}

/**
 * Write the smoke GGUF: the folder's tokenizer and chat template, llama hyperparameters, random weights.
 * Sizes: token_embd is F16 (n_vocab × embd × 2 bytes: 6.3 MB for SmolLM2's 49152 × 64), the rest F32.
 * Weights ~ N(0, 1/sqrt(fan_in)), norms = 1, embeddings ~ N(0, EMBD_STD). The small embedding scale keeps the residual
 * stream dominated by the blocks: with large tied embeddings the model only repeats its last input token.
 * @throws UserError on bad options or tokenizer files; nothing is written then.
 */
export function writeSmokeModel(opts: SmokeModelOptions): SmokeModelInfo {
  const layers = opts.layers ?? 2;
  const embd = opts.embd ?? 64;
  const seed = opts.seed ?? 0;
  checkInt("layers", layers, 1, 64);
  checkInt("embd", embd, 16, 4096);
  if (embd % 16 !== 0) throw new UserError(`--embd ${embd}: expected a multiple of 16 (head size 16)`);
  checkInt("seed", seed, 0, 2 ** 32 - 1);
  // The output folder is created when the file is written (writeFileAtomic), after all input is validated.

  const vocab = readTokenizerDir(opts.tokenizerDir, opts.pre);
  const headDim = 16;
  const heads = embd / headDim;
  const kvHeads = heads % 2 === 0 ? heads / 2 : heads; // grouped-query attention like SmolLM2 when possible
  const ff = Math.ceil((embd * 8) / 3 / 32) * 32;
  const nVocab = vocab.tokens.length;
  const contextLength = vocab.contextLength ?? 2048;

  const u32 = (value: number): GgufValue => ({ type: "u32", value });
  const meta = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: `parrot smoke (${path.basename(path.resolve(opts.tokenizerDir))}, random weights)` }],
    ["general.file_type", u32(1)], // MOSTLY_F16
    ["general.alignment", u32(32)],
    ["llama.context_length", u32(contextLength)],
    ["llama.embedding_length", u32(embd)],
    ["llama.block_count", u32(layers)],
    ["llama.feed_forward_length", u32(ff)],
    ["llama.attention.head_count", u32(heads)],
    ["llama.attention.head_count_kv", u32(kvHeads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: vocab.rmsEps ?? 1e-5 }],
    ["llama.rope.freq_base", { type: "f32", value: vocab.ropeTheta ?? 10000 }],
    ["llama.rope.dimension_count", u32(headDim)],
    ["llama.vocab_size", u32(nVocab)],
    ["tokenizer.ggml.model", { type: "string", value: "gpt2" }],
    ["tokenizer.ggml.pre", { type: "string", value: vocab.pre }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocab.tokens }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: vocab.tokenTypes }],
    ["tokenizer.ggml.merges", { type: "string[]", value: vocab.merges }],
  ]);
  if (vocab.bosTokenId !== undefined) meta.set("tokenizer.ggml.bos_token_id", u32(vocab.bosTokenId));
  if (vocab.eosTokenId !== undefined) meta.set("tokenizer.ggml.eos_token_id", u32(vocab.eosTokenId));
  if (vocab.unkTokenId !== undefined) meta.set("tokenizer.ggml.unknown_token_id", u32(vocab.unkTokenId));
  if (vocab.padTokenId !== undefined) meta.set("tokenizer.ggml.padding_token_id", u32(vocab.padTokenId));
  meta.set("tokenizer.ggml.add_bos_token", { type: "bool", value: vocab.addBos });
  meta.set("tokenizer.ggml.add_eos_token", { type: "bool", value: vocab.addEos });
  meta.set("tokenizer.chat_template", { type: "string", value: vocab.chatTemplate });

  const rand = mulberry32(seed);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const lin = (name: string, nIn: number, nOut: number): GgufTensor => ({
    name,
    dims: [nIn, nOut],
    type: GGMLType.F32,
    data: randomNormal(nIn * nOut, 1 / Math.sqrt(nIn), rand),
  });
  const tensors: GgufTensor[] = [
    { name: "token_embd.weight", dims: [embd, nVocab], type: GGMLType.F16, data: randomNormal(embd * nVocab, EMBD_STD, rand) },
  ];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [embd], type: GGMLType.F32, data: ones(embd) },
      lin(`blk.${i}.attn_q.weight`, embd, embd),
      lin(`blk.${i}.attn_k.weight`, embd, kvHeads * headDim),
      lin(`blk.${i}.attn_v.weight`, embd, kvHeads * headDim),
      lin(`blk.${i}.attn_output.weight`, embd, embd),
      { name: `blk.${i}.ffn_norm.weight`, dims: [embd], type: GGMLType.F32, data: ones(embd) },
      lin(`blk.${i}.ffn_gate.weight`, embd, ff),
      lin(`blk.${i}.ffn_up.weight`, embd, ff),
      lin(`blk.${i}.ffn_down.weight`, ff, embd),
    );
  }
  tensors.push({ name: "output_norm.weight", dims: [embd], type: GGMLType.F32, data: ones(embd) });

  const bytes = writeGgufFile(opts.out, meta, tensors);
  return {
    out: opts.out,
    bytes,
    vocabSize: nVocab,
    merges: vocab.merges.length,
    layers,
    embd,
    heads,
    kvHeads,
    ff,
    contextLength,
    pre: vocab.pre,
    bosTokenId: vocab.bosTokenId ?? -1,
    eosTokenId: vocab.eosTokenId ?? -1,
    chatTemplate: vocab.chatTemplate,
  };
}
