import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createPooledFetch } from "../src/llm/fetch.js";

let server: http.Server;
let base = "";
const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: Buffer.concat(chunks).toString("utf8") });
      if (req.url === "/empty") return void res.writeHead(204).end();
      if (req.url === "/moved") return void res.writeHead(302, { location: "/json" }).end();
      if (req.url?.startsWith("/hang")) return; // never answers
      res.writeHead(req.url?.startsWith("/teapot") ? 418 : 200, { "content-type": "application/json", "x-multi": ["a", "b"] });
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("createPooledFetch (undici request under the openai client)", () => {
  it("sends method, headers, body and query; returns status, headers and the body", async () => {
    const f = createPooledFetch();
    const res = await f(`${base}/teapot?x=1`, { method: "post", headers: new Headers({ authorization: "Bearer k" }), body: '{"a":1}' });
    expect(res.status).toBe(418);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-multi")).toBe("a, b");
    expect(await res.json()).toEqual({ ok: true, url: "/teapot?x=1" });
    expect(seen.at(-1)).toEqual({ method: "POST", url: "/teapot?x=1", auth: "Bearer k", body: '{"a":1}' });
    await f.close();
  });

  it("gives a null body for 204 and follows a redirect like fetch", async () => {
    const f = createPooledFetch();
    const empty = await f(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const moved = await f(`${base}/moved`);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ ok: true, url: "/json" });
    await f.close();
  });

  it("rejects with an abort error when the signal fires (the openai client's timeout)", async () => {
    const f = createPooledFetch();
    const ctl = new AbortController();
    const p = f(`${base}/hang`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    await f.close();
  });
});
