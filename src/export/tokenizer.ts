/**
 * A model's own tokenizer and chat template, loaded from a Hugging Face model folder, and the loss-mask machinery:
 * character spans of trained text -> token spans -> `labels` (= input_ids where trained, -100 elsewhere).
 *
 * Folder layout (the files every HF model repo ships): `tokenizer.json` (required), `tokenizer_config.json`
 * (`chat_template`, `bos_token`, `eos_token`; required for chat rendering). Tokenization uses @huggingface/tokenizers,
 * templates @huggingface/jinja, following the transformers conventions:
 * - a rendered chat template is tokenized with `add_special_tokens: false` (the template writes BOS itself, as
 *   `apply_chat_template(tokenize=True)` does; llama.cpp likewise does not add BOS to a templated prompt that has one);
 * - raw text (the Parrot-Ask transcript) is tokenized with `add_special_tokens: true`, so a tokenizer whose
 *   post-processor adds BOS (Llama) gets it, and one without (SmolLM2) gets none.
 *
 * Span -> token mapping is proved, not guessed: a character boundary b maps to token index k only when tokenizing
 * `text.slice(0, b)` yields exactly the first k tokens of the whole text. A boundary that falls inside a token
 * (e.g. a response starting with "\n" merging with the template's "\n") is "straddled": the straddling token is left
 * untrained and the count is reported.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { UserError } from "../io/errors.js";
import type { ChatMessage } from "../llm/types.js";

export const IGNORE_INDEX = -100;

/** A loaded tokenizer folder. */
export interface ModelTokenizer {
  dir: string;
  tokenizer: Tokenizer;
  /** Jinja chat template, when tokenizer_config.json has one. */
  template: Template | undefined;
  bosToken: string | undefined;
  eosToken: string | undefined;
  /** Contents of special added tokens (used to find an end-of-turn token after a message). */
  specialTokens: string[];
}

function tokenString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return undefined;
}

/**
 * Load `DIR/tokenizer.json` and `DIR/tokenizer_config.json`.
 * @throws UserError when the folder or tokenizer.json is missing or not JSON.
 */
export function loadTokenizer(dir: string): ModelTokenizer {
  const tokFile = path.join(dir, "tokenizer.json");
  const cfgFile = path.join(dir, "tokenizer_config.json");
  if (!fs.existsSync(tokFile)) throw new UserError(`${tokFile}: no such file (--tokenizer must be a model folder with tokenizer.json)`);
  let tokJson: unknown;
  let cfg: Record<string, unknown> = {};
  try {
    tokJson = JSON.parse(fs.readFileSync(tokFile, "utf8"));
  } catch (err) {
    throw new UserError(`${tokFile}: not valid JSON (${(err as Error).message})`);
  }
  if (fs.existsSync(cfgFile)) {
    try {
      cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new UserError(`${cfgFile}: not valid JSON (${(err as Error).message})`);
    }
  }
  const tokenizer = new Tokenizer(tokJson as object, cfg);
  let template: Template | undefined;
  let ct = cfg.chat_template;
  // transformers >= 4.43 may save the template beside the config instead (chat_template.jinja).
  const jinja = path.join(dir, "chat_template.jinja");
  if (ct === undefined && fs.existsSync(jinja)) ct = fs.readFileSync(jinja, "utf8");
  if (Array.isArray(ct)) ct = (ct as Array<{ name?: string; template?: string }>).find((t) => t.name === "default")?.template;
  if (typeof ct === "string") {
    try {
      template = new Template(ct);
    } catch (err) {
      throw new UserError(`${cfgFile}: field "chat_template": cannot parse (${(err as Error).message})`);
    }
  }
  const added = ((tokJson as { added_tokens?: Array<{ content: string; special?: boolean }> }).added_tokens ?? [])
    .filter((t) => t.special)
    .map((t) => t.content);
  return {
    dir,
    tokenizer,
    template,
    bosToken: tokenString(cfg.bos_token),
    eosToken: tokenString(cfg.eos_token),
    specialTokens: added,
  };
}

/**
 * Render messages through the model's chat template (the variables transformers passes: messages, bos_token,
 * eos_token, add_generation_prompt).
 * @throws UserError when the folder has no chat template or the template raises.
 */
export function renderChat(tok: ModelTokenizer, messages: ReadonlyArray<ChatMessage>, addGenerationPrompt = false): string {
  if (!tok.template) throw new UserError(`${tok.dir}: tokenizer_config.json has no chat_template`);
  try {
    return tok.template.render({
      messages,
      bos_token: tok.bosToken ?? "",
      eos_token: tok.eosToken ?? "",
      add_generation_prompt: addGenerationPrompt,
    });
  } catch (err) {
    throw new UserError(`${tok.dir}: chat template failed: ${(err as Error).message}`);
  }
}

/**
 * The token text the tokenizer puts before raw text (its post-processor's BOS, e.g. Llama's `<s>`), or "" when it
 * adds none (SmolLM2). Engines that tokenize segment text themselves (axolotl input_output) need it written out.
 */
export function rawTextBos(tok: ModelTokenizer): string {
  const withSpecial = tok.tokenizer.encode("a", { add_special_tokens: true }).ids;
  const plain = tok.tokenizer.encode("a", { add_special_tokens: false }).ids;
  if (withSpecial.length <= plain.length || withSpecial[0] === plain[0]) return "";
  return tok.tokenizer.decode([withSpecial[0]], { skip_special_tokens: false });
}

/**
 * The end-of-turn token the chat template writes after an assistant message (`<|im_end|>` for ChatML), found by
 * rendering a probe chat; undefined when none follows the content.
 */
export function endOfTurnToken(tok: ModelTokenizer): string | undefined {
  const msgs: ChatMessage[] = [
    { role: "user", content: "Hi." },
    { role: "assistant", content: "Hello." },
  ];
  const { text, spans } = chatSpans(tok, msgs, [1]);
  const content = text.indexOf("Hello.", spans[0].start);
  const after = text.slice(content + "Hello.".length, spans[0].end);
  return after === "" ? undefined : after;
}

/** sha256 (hex) of a tokenizer folder's tokenizer.json, recorded with training runs. */
export function tokenizerDigest(dir: string): string {
  return createHash("sha256").update(fs.readFileSync(path.join(dir, "tokenizer.json"))).digest("hex");
}

/** Character span [start, end) of trained text. */
export interface CharSpan {
  start: number;
  end: number;
}

const SENTINEL = "\u0000PARROT_SENTINEL\u0000";

/**
 * Character spans of the given messages' contents in the rendered chat, each extended over the end-of-turn token
 * that the template writes right after the content (the EOS token, or any special added token such as
 * `<|im_end|>`/`<|eot_id|>`), so the model learns to stop.
 *
 * Located without string search in the rendered text: message i's content is replaced by a sentinel and the
 * conversation re-rendered; everything before the sentinel is identical, so its index is the content start.
 * Templates that trim content are handled by matching the trimmed content.
 * @returns { text, spans } with one span per index in `trained`, in order.
 * @throws UserError when a content cannot be located (template rewrites message text).
 */
export function chatSpans(
  tok: ModelTokenizer,
  messages: ReadonlyArray<ChatMessage>,
  trained: ReadonlyArray<number>,
): { text: string; spans: CharSpan[] } {
  const text = renderChat(tok, messages);
  const spans: CharSpan[] = [];
  for (const i of trained) {
    const probe = messages.map((m, j) => (j === i ? { ...m, content: SENTINEL } : m));
    const rendered = renderChat(tok, probe);
    const start = rendered.indexOf(SENTINEL);
    if (start < 0) throw new UserError(`chat template of ${tok.dir} drops message ${i} (${messages[i].role})`);
    const content = messages[i].content;
    let len: number;
    if (text.startsWith(content, start)) len = content.length;
    else if (text.startsWith(content.trim(), start)) len = content.trim().length;
    else throw new UserError(`chat template of ${tok.dir} rewrites the text of message ${i}; cannot place its loss mask`);
    let end = start + len;
    const eot = [tok.eosToken, ...tok.specialTokens].find((t) => t && text.startsWith(t, end));
    if (eot) end += eot.length;
    spans.push({ start, end });
  }
  return { text, spans };
}

/** Result of masking one text. */
export interface MaskedTokens {
  input_ids: number[];
  labels: number[];
  /** Boundaries that fell inside a token (the straddling token is left untrained). */
  straddled: number;
}

function lcp(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Tokenize `text` and set labels = input_ids inside the spans, -100 elsewhere.
 * Each boundary b is mapped by tokenizing the prefix text[0, b) and checking it is a token prefix of the whole
 * (see the file comment); a start boundary inside a token moves past it, an end boundary inside a token moves
 * before it, and `straddled` counts them.
 * @param addSpecialTokens false for chat-template text, true for raw text (see the file comment).
 */
export function maskText(tok: ModelTokenizer, text: string, spans: ReadonlyArray<CharSpan>, addSpecialTokens: boolean): MaskedTokens {
  const ids = tok.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  const labels = new Array<number>(ids.length).fill(IGNORE_INDEX);
  let straddled = 0;
  const cache = new Map<number, number>();
  const boundary = (b: number, isStart: boolean): number => {
    const key = isStart ? b : -b - 1;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let k: number;
    if (b >= text.length) k = ids.length;
    else {
      const pre = tok.tokenizer.encode(text.slice(0, b), { add_special_tokens: addSpecialTokens }).ids;
      const common = lcp(pre, ids);
      if (common === pre.length) k = common;
      else {
        straddled++;
        k = isStart ? common + 1 : common;
      }
    }
    cache.set(key, k);
    return k;
  };
  for (const s of spans) {
    const a = boundary(s.start, true);
    const z = boundary(s.end, false);
    for (let k = a; k < z; k++) labels[k] = ids[k];
  }
  return { input_ids: ids, labels, straddled };
}

/** Contiguous runs of trained / untrained tokens, decoded (for previews and tests). */
export function labelRuns(tok: ModelTokenizer, m: Pick<MaskedTokens, "input_ids" | "labels">): Array<{ trained: boolean; text: string }> {
  const runs: Array<{ trained: boolean; text: string }> = [];
  let i = 0;
  while (i < m.input_ids.length) {
    const trained = m.labels[i] !== IGNORE_INDEX;
    let j = i;
    while (j < m.input_ids.length && (m.labels[j] !== IGNORE_INDEX) === trained) j++;
    runs.push({ trained, text: tok.tokenizer.decode(m.input_ids.slice(i, j), { skip_special_tokens: false }) });
    i = j;
  }
  return runs;
}
