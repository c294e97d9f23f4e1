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
import { iterateJsonOrJsonl, readJsonl, validateRecord, type JsonlRecord } from "../io/jsonl.js";
import { InputError, UserError } from "../io/errors.js";
import { type Message, type Session, SessionRecordSchema, sessionFromRecord } from "./session.js";

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
  role: "prompter" | "assistant";
  message_id?: string;
  deleted?: boolean;
  replies?: OasstNode[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A node met while validating a tree: its value and where it sits (for the field path of an error). */
interface OasstFrame {
  node: unknown;
  parent: OasstFrame | undefined;
  segment: string;
}

/**
 * The field path of `field` in the node of `frame`, e.g. `prompt.replies[0].replies[2].role`. A path deeper than 8
 * levels is shortened to its first 4 and last 3 segments around `…`, with the depth returned separately.
 */
function oasstFieldPath(frame: OasstFrame, field: string | undefined): { path: string; depth: number } {
  const segments: string[] = [];
  for (let f: OasstFrame | undefined = frame; f; f = f.parent) segments.push(f.segment);
  segments.reverse();
  const depth = segments.length - 1;
  const shown = segments.length > 8 ? [...segments.slice(0, 4), "…", ...segments.slice(-3)] : segments;
  if (field) shown.push(field);
  return { path: shown.join("."), depth };
}

/**
 * Validate an OpenAssistant tree record `{message_tree_id, prompt: {text, role: prompter|assistant, message_id?,
 * deleted?, replies?: [...]}}` iteratively (an explicit stack, not recursion), so a tree of any depth is checked
 * without overflowing the call stack. Other fields (lang, review_count, ...) are ignored. Nodes are checked in
 * document order; the first problem throws.
 * @throws InputError(file, line, field path such as `prompt.replies[0].role`; deeper than 8 levels the path is
 *   shortened and the message says how many levels down the node is).
 */
function validateOasstTree(rec: JsonlRecord, file: string): { message_tree_id: string; prompt: OasstNode } {
  const v = rec.value;
  if (!isObject(v)) throw new InputError(file, rec.line, undefined, "expected a JSON object");
  if (typeof v.message_tree_id !== "string") throw new InputError(file, rec.line, "message_tree_id", "expected a string");
  const stack: OasstFrame[] = [{ node: v.prompt, parent: undefined, segment: "prompt" }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const n = frame.node;
    const fail = (field: string | undefined, problem: string): never => {
      const { path, depth } = oasstFieldPath(frame, field);
      throw new InputError(file, rec.line, path, depth > 7 ? `${problem} (a node ${depth} levels down)` : problem);
    };
    if (!isObject(n)) fail(undefined, "expected a message object {text, role, replies}");
    const node = n as Record<string, unknown>;
    if (typeof node.text !== "string") fail("text", "expected a string");
    if (node.role !== "prompter" && node.role !== "assistant") fail("role", `expected "prompter" or "assistant", got ${JSON.stringify(node.role)?.slice(0, 40)}`);
    if (node.message_id !== undefined && typeof node.message_id !== "string") fail("message_id", "expected a string");
    if (node.deleted !== undefined && typeof node.deleted !== "boolean") fail("deleted", "expected true or false");
    if (node.replies !== undefined) {
      if (!Array.isArray(node.replies)) fail("replies", "expected an array of messages");
      const replies = node.replies as unknown[];
      for (let i = replies.length - 1; i >= 0; i--) stack.push({ node: replies[i], parent: frame, segment: `replies[${i}]` });
    }
  }
  return v as unknown as { message_tree_id: string; prompt: OasstNode };
}

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

/**
 * Every root-to-leaf path of an OpenAssistant tree as one session (`<message_tree_id>/<n>`, n in depth-first order),
 * skipping deleted nodes and their subtrees. Walked iteratively with one shared path (a tree 20,000 levels deep costs
 * one copy of its path per leaf, and no recursion).
 */
function fromOasst(rec: JsonlRecord, file: string): Session[] {
  const v = validateOasstTree(rec, file);
  const out: Session[] = [];
  const trail: Message[] = [];
  const stack: Array<{ node: OasstNode; depth: number }> = [{ node: v.prompt, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node.deleted) continue;
    trail.length = depth;
    trail.push({ role: node.role === "prompter" ? "user" : "assistant", content: node.text });
    const replies = (node.replies ?? []).filter((r) => !r.deleted);
    if (replies.length === 0) {
      const id = `${v.message_tree_id}/${out.length}`;
      out.push({
        id,
        messages: trail.slice(),
        meta: { source: { format: "oasst", file, id: v.message_tree_id, line: rec.line, leaf: node.message_id ?? String(depth) } },
      });
      continue;
    }
    for (let i = replies.length - 1; i >= 0; i--) stack.push({ node: replies[i], depth: depth + 1 });
  }
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
 * The sessions of any supported conversation file, one record at a time (a generator). The file is opened and read
 * once (iterateJsonOrJsonl), so a pipe or FIFO works; JSONL is never held whole in memory (JSON arrays are).
 * Validation is per record: the first bad record throws when it is reached (sessions before it were yielded).
 * @param format force a format instead of detecting it from the first record.
 * @throws UserError/InputError naming file, line and field; UserError for an input with no records.
 */
export function* iterateConversations(file: string, format?: ConversationFormat): Generator<Session, void, undefined> {
  let fmt = format;
  let any = false;
  const seen = new Set<string>();
  for (const r of iterateJsonOrJsonl(file)) {
    any = true;
    fmt ??= detectFormat(r.value, file);
    if (fmt === "parrot") yield sessionFromRecord(r, file, seen);
    else if (fmt === "sharegpt") yield fromShareGpt(r, file);
    else if (fmt === "messages") yield fromOpenAiMessages(r, file);
    else yield* fromOasst(r, file);
  }
  if (!any) throw new UserError(`${file}: no records`);
}

/**
 * Stream the sessions of any supported conversation file to `onSession`, one record at a time
 * (iterateConversations).
 * @param format force a format instead of detecting it from the first record.
 * @returns the number of sessions delivered.
 * @throws UserError/InputError naming file, line and field; UserError for an input with no records.
 */
export function forEachConversation(file: string, onSession: (s: Session) => void, format?: ConversationFormat): number {
  let n = 0;
  for (const s of iterateConversations(file, format)) {
    onSession(s);
    n++;
  }
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
