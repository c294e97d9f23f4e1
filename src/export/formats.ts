/**
 * Training records for each engine, with the loss masks of the paper:
 * - sft-chat: loss on assistant responses only (section 3.1, Eq. 2);
 * - sft-ask: loss on user queries only (section 3.2, Eq. 3), the Parrot-Ask model;
 * - dpo: CaPO preference pairs (section 3.3).
 *
 * Formats (each checked against the engine's documentation, see docs in src/export/README.md):
 * - `trl`: TRL conversational `{messages}` (SFTConfig `assistant_only_loss: true`); sft-ask swaps roles so the
 *   queries are the trained assistant turns, with the B.1 prompt as system message. dpo: `{prompt, chosen, rejected}`
 *   (conversational preference format).
 * - `axolotl`: `type: chat_template` records `{messages:[{role, content, train}]}` (per-message `train` flags,
 *   config `message_field_training: train`, `roles_to_train: []`, `train_on_eos: turn`); sft-ask keeps the roles and
 *   trains the user turns under the B.1 system prompt. dpo: `type: chat_template.default` `{messages, chosen:{role,
 *   content}, rejected:{...}}`.
 * - `llama-factory`: sharegpt `{conversations:[{from: human|gpt, value}], system}` plus a dataset_info.json entry;
 *   human must sit at odd positions, so sft-ask puts the B.1 prompt in the first human turn and the queries in gpt
 *   turns. dpo: `ranking: true` with `chosen`/`rejected` message objects.
 * - `openai`: chat fine-tuning `{messages}` with `weight` 0/1 on assistant messages (the field exists only on assistant
 *   messages: OpenAI's OpenAPI schema FineTuneChatCompletionRequestAssistantMessage, "Controls whether the assistant
 *   message is trained against (0 or 1)"); sft-ask swaps roles like trl.
 *   dpo: `{input:{messages}, preferred_output:[assistant], non_preferred_output:[assistant]}`.
 * - `tokens`: `{input_ids, labels}` (labels -100 where not trained) from the model's tokenizer and chat template;
 *   sft-ask uses the exact Parrot-Ask transcript (renderParrotAskTranscript) as raw text. dpo: `{prompt_input_ids,
 *   chosen_input_ids, rejected_input_ids}` split from the rendered chat.
 */
import { PARROT_ASK_SYSTEM_PROMPT, renderParrotAskTranscript } from "../collect/prompts.js";
import { UserError } from "../io/errors.js";
import type { PreferencePair, TrainingSession } from "./data.js";
import { chatSpans, maskText, renderChat, type ChatMessage, type MaskedTokens, type ModelTokenizer } from "./tokenizer.js";

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

/** One exported SFT record (shape depends on the format). */
export type ExportRecord = Record<string, unknown>;

/**
 * Build the SFT record of one session in a non-token format.
 * @throws UserError for `tokens` (use tokensSftRecord).
 */
export function sftRecord(kind: SftKind, format: ExportFormat, s: TrainingSession): ExportRecord {
  switch (format) {
    case "trl":
      return { messages: kind === "sft-chat" ? chatMessages(s) : swappedAskMessages(s) };
    case "axolotl": {
      const trainRole = kind === "sft-chat" ? "assistant" : "user";
      const base: ChatMessage[] =
        kind === "sft-chat"
          ? chatMessages(s)
          : [{ role: "system", content: PARROT_ASK_SYSTEM_PROMPT }, ...s.messages.map((m) => ({ role: m.role, content: m.content }))];
      return { messages: base.map((m) => ({ role: m.role, content: m.content, train: m.role === trainRole })) };
    }
    case "llama-factory": {
      if (kind === "sft-chat") {
        const rec: ExportRecord = {
          conversations: s.messages.map((m) => ({ from: m.role === "user" ? "human" : "gpt", value: m.content })),
        };
        if (s.system) rec.system = s.system;
        return rec;
      }
      const conv = [{ from: "human", value: PARROT_ASK_SYSTEM_PROMPT }];
      for (const m of s.messages.slice(0, -1)) conv.push({ from: m.role === "user" ? "gpt" : "human", value: m.content });
      return { conversations: conv };
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
  const { text, querySpans } = renderParrotAskTranscript(s.messages);
  return { ...maskText(tok, text, querySpans, true), text };
}

/** Build the DPO record of one pair in a non-token format. */
export function dpoRecord(format: ExportFormat, p: PreferencePair): ExportRecord {
  const prompt: ChatMessage[] = p.prompt.map((m) => ({ role: m.role, content: m.content }));
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
      };
      if (system) rec.system = system;
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
 * Token record of one pair, split the way TRL's DPO trainer tokenizes: the prompt rendered with the generation
 * prompt, then each full conversation (prompt + response) rendered; the response ids are what follows the prompt ids.
 * @throws UserError when the rendered prompt is not a token prefix of the rendered conversation.
 */
export function tokensDpoRecord(tok: ModelTokenizer, p: PreferencePair): {
  prompt_input_ids: number[];
  chosen_input_ids: number[];
  rejected_input_ids: number[];
} {
  const prompt: ChatMessage[] = p.prompt.map((m) => ({ role: m.role, content: m.content }));
  const promptText = renderChat(tok, prompt, true);
  const promptIds = tok.tokenizer.encode(promptText, { add_special_tokens: false }).ids;
  const tail = (response: string): number[] => {
    const full = renderChat(tok, [...prompt, { role: "assistant", content: response }]);
    if (!full.startsWith(promptText)) {
      throw new UserError(`pair ${p.id}: the chat template's generation prompt is not a prefix of the rendered answer`);
    }
    // Trim what the template writes after the end-of-turn token (e.g. ChatML's trailing "\n").
    const { spans } = chatSpans(tok, [...prompt, { role: "assistant", content: response }], [prompt.length]);
    const ids = tok.tokenizer.encode(full.slice(0, spans[0].end), { add_special_tokens: false }).ids;
    for (let i = 0; i < promptIds.length; i++) {
      if (ids[i] !== promptIds[i]) throw new UserError(`pair ${p.id}: prompt tokens are not a prefix of the answer's tokens`);
    }
    return ids.slice(promptIds.length);
  };
  return { prompt_input_ids: promptIds, chosen_input_ids: tail(p.chosen), rejected_input_ids: tail(p.rejected) };
}

/**
 * dataset_info.json entry for LLaMA-Factory (data/README.md of hiyouga/LLaMA-Factory): sharegpt formatting with
 * the default from/value tags; preference data adds `ranking: true` and the chosen/rejected columns.
 */
export function llamaFactoryDatasetInfo(kind: ExportKind, fileName: string): Record<string, unknown> {
  const columns: Record<string, string> = { messages: "conversations", system: "system" };
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
