/**
 * Training records for each engine, with the loss masks of the paper:
 * - sft-chat: loss on assistant responses only (section 3.1, Eq. 2);
 * - sft-ask: loss on user queries only (section 3.2, Eq. 3), the Parrot-Ask model;
 * - dpo: CaPO preference pairs (section 3.3).
 *
 * Formats (each checked against the engine's documentation, see docs in src/export/README.md):
 * Parrot-Ask (sft-ask) is trained in the appendix B.1 text format that `collect --simulator parrot-ask` sends as a
 * raw completion (askSegments): system prompt, then ` [USER] q1 [ASSISTANT] r1 ... [USER]`, loss on each
 * ` q_i [ASSISTANT]`; no chat template is involved.
 * - `trl`: sft-chat conversational `{messages}`; sft-ask pre-tokenized `{input_ids, labels}` (TRL keeps given labels,
 *   trl/trainer/sft_trainer.py). dpo: `{prompt, chosen, rejected}` (conversational preference format).
 * - `axolotl`: sft-chat `type: chat_template` records `{messages:[{role, content, train}]}` (per-message `train`
 *   flags, config `message_field_training: train`, `roles_to_train: []`, `train_on_eos: turn`, `eot_tokens`);
 *   sft-ask `type: input_output` `{segments:[{text, label}]}`. dpo: `type: chat_template.default` `{messages,
 *   chosen:{role, content}, rejected:{...}}`.
 * - `llama-factory`: sharegpt `{conversations:[{from: human|gpt, value}], system}` plus a dataset_info.json entry;
 *   sft-ask: the B.1 segments as human (untrained) / gpt (trained) turns, for `template: empty`. dpo: `ranking: true`
 *   with `chosen`/`rejected` message objects.
 * - `openai`: chat fine-tuning `{messages}` with `weight` 0/1 on assistant messages (the field exists only on assistant
 *   messages: OpenAI's OpenAPI schema FineTuneChatCompletionRequestAssistantMessage, "Controls whether the assistant
 *   message is trained against (0 or 1)"); sft-ask swaps roles (B.1 as system, queries as assistant turns): a chat
 *   fine-tune cannot serve the B.1 completion simulator, so such a model is usable only as a chat model.
 *   dpo: `{input:{messages}, preferred_output:[assistant], non_preferred_output:[assistant]}`.
 * - `tokens`: `{input_ids, labels}` (labels -100 where not trained) from the model's tokenizer and chat template;
 *   sft-ask uses the exact Parrot-Ask transcript (renderParrotAskTranscript) as raw text. No dpo tokens format: TRL
 *   >= 1.0 has no pre-tokenized DPO path, and no other engine reads one.
 */
import { PARROT_ASK_SYSTEM_PROMPT, renderParrotAskTranscript } from "../collect/prompts.js";
import { UserError } from "../io/errors.js";
import type { TrainingSession } from "./data.js";
import type { ChatMessage } from "../llm/types.js";
import type { PreferencePair } from "../records/pair.js";
import { chatSpans, maskText, type MaskedTokens, type ModelTokenizer } from "./tokenizer.js";

export const FORMATS = ["trl", "axolotl", "llama-factory", "openai", "tokens"] as const;
export type ExportFormat = (typeof FORMATS)[number];
export type SftKind = "sft-chat" | "sft-ask";
export type ExportKind = SftKind | "dpo";

/** Chat messages of a session for sft-chat (system prompt first when the session has one). */
export function chatMessages(s: TrainingSession): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (s.system !== undefined && s.system !== "") out.push({ role: "system", content: s.system });
  for (const m of s.messages) out.push({ role: m.role, content: m.content });
  return out;
}

/**
 * Roles swapped for sft-ask in chat formats: B.1 as system, queries as (trained) assistant turns, responses as user
 * turns. The last response is dropped: it is never trained and nothing follows it.
 */
export function swappedAskMessages(s: TrainingSession): ChatMessage[] {
  const out: ChatMessage[] = [{ role: "system", content: PARROT_ASK_SYSTEM_PROMPT }];
  const msgs = s.messages.slice(0, -1);
  for (const m of msgs) out.push({ role: m.role === "user" ? "assistant" : "user", content: m.content });
  return out;
}

/** One piece of the Parrot-Ask training text: `label` true where the loss applies. */
export interface AskSegment {
  text: string;
  label: boolean;
}

/**
 * The Parrot-Ask training text (appendix B.1, the exact text `collect --simulator parrot-ask` sends as a raw
 * completion) cut into alternating untrained / trained segments: `<B.1 prompt> [USER]` | ` q1 [ASSISTANT]` |
 * ` r1 [USER]` | ` q2 [ASSISTANT]` ... The text ends with the last trained query: the final response is never
 * trained and nothing follows it, so it is dropped. `bos` (the tokenizer's BOS when it adds one to raw text) starts
 * the first segment.
 */
export function askSegments(s: TrainingSession, bos = ""): AskSegment[] {
  const { text, querySpans } = renderParrotAskTranscript(s.messages);
  const segs: AskSegment[] = [];
  let at = 0;
  for (const q of querySpans) {
    segs.push({ text: (at === 0 ? bos : "") + text.slice(at, q.start), label: false });
    segs.push({ text: text.slice(q.start, q.end), label: true });
    at = q.end;
  }
  return segs;
}

/** One exported SFT record (shape depends on the format). */
export type ExportRecord = Record<string, unknown>;

/**
 * Build the SFT record of one session in a non-token format.
 * @throws UserError for `tokens` and trl sft-ask (pre-tokenized: use tokensSftRecord).
 */
export function sftRecord(kind: SftKind, format: ExportFormat, s: TrainingSession, opts: { bos?: string } = {}): ExportRecord {
  switch (format) {
    case "trl":
      if (kind === "sft-ask") throw new UserError("internal: trl sft-ask records are pre-tokenized (tokensSftRecord)");
      return { messages: chatMessages(s) };
    case "axolotl": {
      // sft-ask: axolotl `type: input_output` (docs/dataset-formats/template_free.qmd): segments tokenized as given.
      if (kind === "sft-ask") return { segments: askSegments(s, opts.bos ?? "") };
      return { messages: chatMessages(s).map((m) => ({ role: m.role, content: m.content, train: m.role === "assistant" })) };
    }
    case "llama-factory": {
      if (kind === "sft-chat") {
        const rec: ExportRecord = {
          conversations: s.messages.map((m) => ({ from: m.role === "user" ? "human" : "gpt", value: m.content })),
        };
        // Always present: dataset_info.json maps the column, and LLaMA-Factory's converter reads it from every row.
        rec.system = s.system ?? "";
        return rec;
      }
      // `template: empty` concatenates the turns as they are: human = untrained segments, gpt = trained ones.
      return { conversations: askSegments(s, opts.bos ?? "").map((g) => ({ from: g.label ? "gpt" : "human", value: g.text })) };
    }
    case "openai": {
      const msgs = kind === "sft-chat" ? chatMessages(s) : swappedAskMessages(s);
      return { messages: msgs.map((m) => (m.role === "assistant" ? { ...m, weight: 1 } : m)) };
    }
    case "tokens":
      throw new UserError("internal: tokens records need a tokenizer (tokensSftRecord)");
  }
}

/**
 * Token record of one session: sft-chat renders the chat template and trains each assistant response plus its
 * end-of-turn token; sft-ask tokenizes the Parrot-Ask transcript (renderParrotAskTranscript, appendix B.1 format)
 * and trains each query span ` q_i [ASSISTANT]`.
 */
export function tokensSftRecord(kind: SftKind, tok: ModelTokenizer, s: TrainingSession): MaskedTokens & { text: string } {
  if (kind === "sft-chat") {
    const msgs = chatMessages(s);
    const trained = msgs.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
    const { text, spans } = chatSpans(tok, msgs, trained);
    return { ...maskText(tok, text, spans, false), text };
  }
  const { text: full, querySpans } = renderParrotAskTranscript(s.messages);
  // End with the last trained query (the final response is never trained), as askSegments does.
  const text = full.slice(0, querySpans[querySpans.length - 1].end);
  return { ...maskText(tok, text, querySpans, true), text };
}

/**
 * A DPO prompt as the engines accept it: system messages first, then from the first user message on. Leading
 * assistant messages (ShareGPT segments that start mid-conversation) are dropped, as cleanSession does for SFT:
 * LLaMA-Factory skips such rows ("Invalid role tag") and user-first chat templates raise in TRL and axolotl.
 */
export function dpoPrompt(p: Pick<PreferencePair, "prompt">): ChatMessage[] {
  const msgs: ChatMessage[] = p.prompt.map((m) => ({ role: m.role, content: m.content }));
  const system = msgs.filter((m, i) => m.role === "system" && msgs.slice(0, i).every((x) => x.role === "system"));
  const firstUser = msgs.findIndex((m) => m.role === "user");
  return [...system, ...msgs.slice(firstUser)];
}

/** Build the DPO record of one pair in a non-token format (prompt cleaned by dpoPrompt). */
export function dpoRecord(format: ExportFormat, p: PreferencePair): ExportRecord {
  const prompt = dpoPrompt(p);
  switch (format) {
    case "trl":
      return {
        prompt,
        chosen: [{ role: "assistant", content: p.chosen }],
        rejected: [{ role: "assistant", content: p.rejected }],
      };
    case "axolotl":
      return {
        messages: prompt,
        chosen: { role: "assistant", content: p.chosen },
        rejected: { role: "assistant", content: p.rejected },
      };
    case "llama-factory": {
      const system = prompt.filter((m) => m.role === "system").map((m) => m.content).join("\n");
      const rec: ExportRecord = {
        conversations: prompt
          .filter((m) => m.role !== "system")
          .map((m) => ({ from: m.role === "user" ? "human" : "gpt", value: m.content })),
        chosen: { from: "gpt", value: p.chosen },
        rejected: { from: "gpt", value: p.rejected },
        system,
      };
      return rec;
    }
    case "openai":
      return {
        input: { messages: prompt },
        preferred_output: [{ role: "assistant", content: p.chosen }],
        non_preferred_output: [{ role: "assistant", content: p.rejected }],
      };
    case "tokens":
      throw new UserError("internal: tokens records need a tokenizer (tokensDpoRecord)");
  }
}

/**
 * dataset_info.json entry for LLaMA-Factory (data/README.md of hiyouga/LLaMA-Factory): sharegpt formatting with
 * the default from/value tags; preference data adds `ranking: true` and the chosen/rejected columns.
 */
export function llamaFactoryDatasetInfo(kind: ExportKind, fileName: string): Record<string, unknown> {
  // sft-ask rows carry no system column (the B.1 prompt is in the first human turn, `template: empty`).
  const columns: Record<string, string> = kind === "sft-ask" ? { messages: "conversations" } : { messages: "conversations", system: "system" };
  if (kind === "dpo") {
    columns.chosen = "chosen";
    columns.rejected = "rejected";
  }
  const entry: Record<string, unknown> = { file_name: fileName, formatting: "sharegpt" };
  if (kind === "dpo") entry.ranking = true;
  entry.columns = columns;
  entry.tags = { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt", system_tag: "system" };
  return entry;
}

/**
 * The records `parrot train` writes for its engine, as `records` yields them: the first `maxSamples` (all without it),
 * pre-tokenized ones (TRL SFT, `tokenized`) as `{input_ids, labels}` only: TRL keeps given labels and builds the
 * attention mask itself. The source is always pulled to its end (it validates the input and counts the records).
 */
export function* engineRecords(records: Iterable<ExportRecord>, o: { tokenized: boolean; maxSamples?: number }): Generator<ExportRecord, void, undefined> {
  let n = 0;
  for (const r of records) {
    if (o.maxSamples === undefined || n < o.maxSamples) yield o.tokenized ? { input_ids: r.input_ids, labels: r.labels } : r;
    n++;
  }
}
