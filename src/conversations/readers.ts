/**
 * Readers for the conversation formats parrot accepts, all producing `Session` objects:
 * - ShareGPT: `{id, conversations:[{from, value}]}` as a JSON array or JSONL (`from`: human/user, gpt/chatgpt/
 *   assistant/bard/bing/model, system).
 * - OpenAI-style chat: JSONL of `{messages:[{role, content}], id?}` (system messages become `session.system`).
 * - OpenAssistant trees: `{message_tree_id, prompt:{text, role: prompter|assistant, replies:[...]}}`; every
 *   root-to-leaf path becomes one session.
 * - Our own session records (see session.ts).
 *
 * Conversation sources need not alternate perfectly (ShareGPT segments may start with the assistant); readers keep
 * the messages in order and `seedQuery()` decides usability. Schema errors name file, line and field.
 */
import { z } from "zod";
import { firstNonSpaceChar, iterateJsonl, readJsonOrJsonl, readJsonl, validateRecord, type JsonlRecord } from "../io/jsonl.js";
import { InputError, UserError } from "../io/errors.js";
import { type Message, type Session, SessionRecordSchema, readSessionFile } from "./session.js";

export type ConversationFormat = "sharegpt" | "messages" | "oasst" | "parrot";

const SHAREGPT_ROLES: Record<string, Message["role"] | "system"> = {
  human: "user",
  user: "user",
  gpt: "assistant",
  chatgpt: "assistant",
  assistant: "assistant",
  bard: "assistant",
  bing: "assistant",
  model: "assistant",
  system: "system",
};

const ShareGptSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  conversations: z.array(
    z.object({
      from: z.string().refine((f) => f.toLowerCase() in SHAREGPT_ROLES, {
        message: `expected one of ${Object.keys(SHAREGPT_ROLES).join(", ")}`,
      }),
      value: z.string(),
    }),
  ),
});

const OpenAiMessagesSchema = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "user", "assistant", "developer"]),
        content: z.union([
          z.string(),
          z.array(z.object({ type: z.string(), text: z.string().optional() })),
        ]),
      }),
    )
    .min(1),
});

interface OasstNode {
  text: string;
  role: string;
  message_id?: string;
  deleted?: boolean;
  replies?: OasstNode[];
}
const OasstNodeSchema: z.ZodType<OasstNode> = z.lazy(() =>
  z.object({
    text: z.string(),
    role: z.enum(["prompter", "assistant"]),
    message_id: z.string().optional(),
    deleted: z.boolean().optional(),
    replies: z.array(OasstNodeSchema).optional(),
  }),
);
const OasstTreeSchema = z.object({
  message_tree_id: z.string(),
  prompt: OasstNodeSchema,
});

function fromShareGpt(rec: JsonlRecord, file: string): Session {
  const v = validateRecord(ShareGptSchema, rec, file);
  const messages: Message[] = [];
  let system: string | undefined;
  v.conversations.forEach((m) => {
    const role = SHAREGPT_ROLES[m.from.toLowerCase()];
    if (role === "system") system = system === undefined ? m.value : `${system}\n${m.value}`;
    else messages.push({ role, content: m.value });
  });
  const id = v.id === undefined ? `${file}#${rec.line}` : String(v.id);
  return { id, messages, system, meta: { source: { format: "sharegpt", file, id, line: rec.line } } };
}

function fromOpenAiMessages(rec: JsonlRecord, file: string): Session {
  const v = validateRecord(OpenAiMessagesSchema, rec, file);
  const messages: Message[] = [];
  let system: string | undefined;
  for (const m of v.messages) {
    const content = typeof m.content === "string" ? m.content : m.content.map((p) => p.text ?? "").join("");
    if (m.role === "system" || m.role === "developer") system = system === undefined ? content : `${system}\n${content}`;
    else messages.push({ role: m.role, content });
  }
  const id = v.id === undefined ? `${file}#${rec.line}` : String(v.id);
  return { id, messages, system, meta: { source: { format: "messages", file, id, line: rec.line } } };
}

function fromOasst(rec: JsonlRecord, file: string): Session[] {
  const v = validateRecord(OasstTreeSchema, rec, file);
  const out: Session[] = [];
  const walk = (node: OasstNode, path: Message[], pathIds: string[]) => {
    if (node.deleted) return;
    const msg: Message = { role: node.role === "prompter" ? "user" : "assistant", content: node.text };
    const nextPath = [...path, msg];
    const ids = [...pathIds, node.message_id ?? String(pathIds.length)];
    const replies = (node.replies ?? []).filter((r) => !r.deleted);
    if (replies.length === 0) {
      const id = `${v.message_tree_id}/${out.length}`;
      out.push({
        id,
        messages: nextPath,
        meta: { source: { format: "oasst", file, id: v.message_tree_id, line: rec.line, leaf: ids[ids.length - 1] } },
      });
      return;
    }
    for (const r of replies) walk(r, nextPath, ids);
  };
  walk(v.prompt, [], []);
  return out;
}

/** Guess a conversation file's format from its first record. */
export function detectFormat(first: unknown, file: string): ConversationFormat {
  if (first && typeof first === "object") {
    const o = first as Record<string, unknown>;
    if ("conversations" in o) return "sharegpt";
    if ("message_tree_id" in o && "prompt" in o) return "oasst";
    if ("messages" in o && "meta" in o) return "parrot";
    if ("messages" in o) return "messages";
  }
  throw new InputError(file, 1, undefined,
    "unknown conversation format: expected ShareGPT {conversations}, OpenAI {messages}, OpenAssistant {message_tree_id, prompt} or parrot {id, messages, meta}");
}

/**
 * Stream the sessions of any supported conversation file to `onSession`, one record at a time (JSONL files are
 * never held whole in memory; JSON arrays are). Validation is per record: the first bad record throws.
 * @param format force a format instead of detecting it from the first record.
 * @returns the number of sessions delivered.
 * @throws UserError/InputError naming file, line and field.
 */
export function forEachConversation(file: string, onSession: (s: Session) => void, format?: ConversationFormat): number {
  let records: Iterable<JsonlRecord>;
  if (firstNonSpaceChar(file) === "[") records = readJsonOrJsonl(file).records;
  else records = iterateJsonl(file);
  let fmt = format;
  let n = 0;
  let any = false;
  if (fmt === "parrot") {
    for (const s of readSessionFile(file)) {
      onSession(s);
      n++;
    }
    if (n === 0) throw new UserError(`${file}: no records`);
    return n;
  }
  for (const r of records) {
    any = true;
    fmt ??= detectFormat(r.value, file);
    if (fmt === "parrot") {
      for (const s of readSessionFile(file)) {
        onSession(s);
        n++;
      }
      return n;
    }
    const sessions = fmt === "sharegpt" ? [fromShareGpt(r, file)] : fmt === "messages" ? [fromOpenAiMessages(r, file)] : fromOasst(r, file);
    for (const s of sessions) {
      onSession(s);
      n++;
    }
  }
  if (!any) throw new UserError(`${file}: no records`);
  return n;
}

/**
 * Read any supported conversation file into sessions. All-or-nothing: the first bad record throws.
 * @param format force a format instead of detecting it from the first record.
 * @throws UserError/InputError naming file, line and field.
 */
export function readConversations(file: string, format?: ConversationFormat): Session[] {
  const out: Session[] = [];
  forEachConversation(file, (s) => out.push(s), format);
  return out;
}

/**
 * The first user query of a seed conversation, or undefined when it is not usable as a seed
 * (it does not start with the user, or the first query is empty).
 */
export function seedQuery(session: Session): string | undefined {
  const first = session.messages[0];
  if (!first || first.role !== "user") return undefined;
  if (first.content.trim() === "") return undefined;
  return first.content;
}

export { SessionRecordSchema, readJsonl };
