/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: every request is answered by a handler that can
 * reply normally, fail (status + headers), hang, send a malformed or truncated body, or drop the connection.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import FOLLOW_UPS_JSON from "../fixtures/follow-ups.json" with { type: "json" };

export interface FakeRequest {
  path: string;
  body: any;
  headers: http.IncomingHttpHeaders;
}

export interface FakeReply {
  status?: number;
  json?: unknown;
  /** Raw body (sent as-is with content-type application/json), e.g. malformed JSON. */
  raw?: string;
  headers?: Record<string, string>;
  /** Wait before answering, ms. */
  delayMs?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Close the socket without answering. */
  destroy?: boolean;
  /** Send headers and half of the body, then close. */
  truncate?: boolean;
}

export type FakeHandler = (req: FakeRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  /** Base URL ending in /v1. */
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** An OpenAI response body of `object` with these choices and usage. */
function replyOf(id: string, object: string, choices: unknown[], promptTokens: number, completionTokens: number): FakeReply {
  return {
    json: { id, object, created: 0, model: "fake", choices, usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } },
  };
}

/** An OpenAI chat-completions response body. */
export function chatReply(text: string, promptTokens = 10, completionTokens = 5): FakeReply {
  return replyOf("chatcmpl-test", "chat.completion", [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], promptTokens, completionTokens);
}

/** An OpenAI completions response body. */
export function completionReply(text: string, promptTokens = 10, completionTokens = 5): FakeReply {
  return replyOf("cmpl-test", "text_completion", [{ index: 0, text, finish_reason: "stop" }], promptTokens, completionTokens);
}

/** Last user message content of a chat request, or the prompt of a completion request. */
export function lastInput(req: FakeRequest): string {
  if (Array.isArray(req.body?.messages)) {
    const users = req.body.messages.filter((m: any) => m.role === "user");
    return String(users[users.length - 1]?.content ?? "");
  }
  return String(req.body?.prompt ?? "");
}

/**
 * Follow-up queries that share few words, so the repetition filter passes consecutive ones (test/fixtures/follow-ups.json,
 * also what bench/lib.mjs's latency server asks).
 */
export const FOLLOW_UPS: string[] = FOLLOW_UPS_JSON;

/**
 * Default behaviour: chat answers "Answer #n to: <first 40 chars of the last user message>"; completions return
 * a follow-up query from FOLLOW_UPS chosen by the turn (the number of `[USER]` markers in the prompt), so the queries of
 * one session never repeat, followed by the `[ASSISTANT]` marker, like a Parrot-Ask model.
 */
export const defaultHandler: FakeHandler = (req, n) => {
  if (req.path.endsWith("/chat/completions")) return chatReply(`Answer #${n} to: ${lastInput(req).slice(0, 40)}`);
  if (req.path.endsWith("/completions")) {
    const turn = String(req.body?.prompt ?? "").split("[USER]").length - 1;
    return completionReply(` ${FOLLOW_UPS[turn % FOLLOW_UPS.length]} [ASSISTANT]`);
  }
  return { status: 404, json: { error: { message: "not found" } } };
};

export async function startFakeOpenAI(handler: FakeHandler = defaultHandler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
    } catch {
      body = null;
    }
    const fr: FakeRequest = { path: req.url ?? "", body, headers: req.headers };
    const index = requests.length;
    requests.push(fr);
    const reply = await handler(fr, index);
    // Like a real server serving what was asked for: the default bodies name the requested model.
    const j = reply.json as { model?: unknown } | undefined;
    if (j && j.model === "fake" && typeof body?.model === "string") reply.json = { ...j, model: body.model };
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.hang) return; // never answer
    if (reply.destroy) {
      req.socket.destroy();
      return;
    }
    const payload = reply.raw ?? JSON.stringify(reply.json ?? {});
    const headers = { "content-type": "application/json", ...(reply.headers ?? {}) };
    if (reply.truncate) {
      res.writeHead(reply.status ?? 200, { ...headers, "content-length": String(Buffer.byteLength(payload)) });
      res.write(payload.slice(0, Math.floor(payload.length / 2)));
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(payload);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
