/**
 * The `fetch` the HTTP engine hands to the `openai` client: undici's `Agent.request` under a fetch-shaped function.
 *
 * Why: Node's built-in `fetch` (WHATWG streams on both sides of every request) costs about twice the CPU per request
 * of undici's lower-level `request` API. With C = 500 requests in flight against a fast server, that CPU is the
 * ceiling of one parrot process (bench/README.md, section 1: measured 0.41-0.54 vs 0.80-1.24 CPU ms per request for
 * the bare openai client on this machine). The `openai` client stays in charge of everything else: URLs,
 * headers, JSON, timeouts (through `init.signal`) and error types.
 *
 * What it covers: the requests the engine makes (a method, headers, a string or bytes body, an AbortSignal), answered
 * with a fully read body. Anything else (a `Request` object, a streamed or form body) goes to the global `fetch`.
 * Redirects (301, 302, 307, 308) are followed here, once, with the same method and body, and without the
 * Authorization header when the new URL is on another origin; a second redirect, or a 303, is returned as is (the
 * engine reports it as a failed request). Each request is sent exactly once per hop.
 */
import { Agent } from "undici";

/** A fetch function with a `close()` that ends its keep-alive connections. */
export interface PooledFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Headers of a RequestInit as a plain object (undici's request takes objects). */
function headersObject(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** Redirects followed (once) with the same method and body. */
const FOLLOWED = new Set([301, 302, 307, 308]);

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Create a fetch backed by one undici Agent (a keep-alive connection pool per origin; no cap on connections, so the
 * command's RequestLimiter alone bounds requests in flight).
 * @param opts.keepAliveTimeoutMs how long an idle connection is kept, ms (default 30 s; servers may close sooner).
 */
export function createPooledFetch(opts: { keepAliveTimeoutMs?: number } = {}): PooledFetch {
  const agent = new Agent({ keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000, keepAliveMaxTimeout: 600_000 });
  const pooled = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const simpleBody = body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
    if (typeof input !== "string" && !(input instanceof URL)) return fetch(input, init);
    if (!simpleBody) return fetch(input, init);
    let url = input instanceof URL ? input : new URL(input);
    let headers = headersObject(init.headers);
    const send = (u: URL, h: Record<string, string>) =>
      agent.request({
        origin: u.origin,
        path: u.pathname + u.search,
        method: (init.method ?? "GET").toUpperCase() as "GET",
        headers: h,
        body: (body as string | Uint8Array | null | undefined) ?? undefined,
        signal: init.signal ?? undefined,
      });
    let res = await send(url, headers);
    const location = res.headers.location;
    if (FOLLOWED.has(res.statusCode) && typeof location === "string") {
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"));
      }
      await res.body.dump();
      url = next;
      res = await send(url, headers);
    }
    const bytes = await res.body.arrayBuffer();
    const resHeaders = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) resHeaders.append(k, x);
      else resHeaders.set(k, String(v));
    }
    return new Response(NULL_BODY.has(res.statusCode) ? null : bytes, { status: res.statusCode, headers: resHeaders });
  };
  return Object.assign(pooled, { close: () => agent.close() });
}
