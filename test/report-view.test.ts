/**
 * `parrot view` through the built CLI: it prints a 127.0.0.1 URL, serves the report built from a folder of data
 * files (sorted by content), sends a server-sent `reload` event when a file changes and serves the rebuilt page,
 * sends `problem` (keeping the last good page) when a file turns bad, and stops cleanly on SIGINT. Also the
 * report-folder mode (serving what `parrot report` wrote, with the live-reload client added).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startViewServer } from "../src/report/serve.js";
import { CLI, REPO_ROOT, SHARED } from "./support/cli.js";

const MT = path.join(SHARED, "data/mt_bench");
const JUDGMENTS = path.join(MT, "model_judgment_local/gpt-4_single.don-tpanic-FastChat.jsonl");

/** Open the event stream; collects `event: NAME` lines as they come. */
function events(url: string): { seen: string[]; wait(name: string, ms?: number): Promise<void>; close(): void } {
  const seen: string[] = [];
  let buf = "";
  const waiters: Array<() => void> = [];
  const req = http.get(new URL("/__parrot/events", url), (res) => {
    res.setEncoding("utf8");
    res.on("data", (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = /^event: (\S+)/m.exec(block);
        if (m) seen.push(m[1]);
        if (/^: connected/m.test(block)) seen.push(":connected");
        waiters.splice(0).forEach((w) => w());
      }
    });
  });
  req.on("error", () => {});
  return {
    seen,
    wait(name, ms = 10_000) {
      const start = seen.filter((s) => s === name).length;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${name}" event within ${ms} ms; saw ${seen.join(", ")}`)), ms);
        const check = () => {
          if (seen.filter((s) => s === name).length > start || (name === ":connected" && seen.includes(name))) {
            clearTimeout(t);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => req.destroy(),
  };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("parrot view", () => {
  it("serves the report of a data folder, live-reloads on change, reports a bad file, stops on SIGINT", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-"));
    const lines = fs.readFileSync(JUDGMENTS, "utf8").trim().split("\n");
    const judgments = path.join(dir, "judgments.jsonl");
    fs.writeFileSync(judgments, lines.slice(0, 40).join("\n") + "\n");
    fs.copyFileSync(path.join(MT, "question.jsonl"), path.join(dir, "question.jsonl"));
    fs.copyFileSync(path.join(MT, "model_answer/gpt-4.jsonl"), path.join(dir, "gpt-4.jsonl"));

    const child = spawn(process.execPath, [CLI, "view", dir, "--poll", "100", "--bootstrap", "20"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL printed; stderr: ${stderr}`)), 30_000);
      child.stdout!.on("data", () => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (m) {
          clearTimeout(t);
          resolve(m[0]);
        }
      });
    });

    const first = await (await fetch(url)).text();
    expect(first).toContain("EventSource");
    expect(first).toContain("gpt-4");
    expect(first).not.toContain("renamed_model");
    expect((await fetch(new URL("/nope", url))).status).toBe(404);

    const ev = events(url);
    await ev.wait(":connected");
    // A new model's judgments appear: the page is rebuilt and a reload event is sent.
    const renamed = lines.slice(0, 4).map((l) => JSON.stringify({ ...JSON.parse(l), model: "renamed_model" }));
    fs.appendFileSync(judgments, renamed.join("\n") + "\n");
    await ev.wait("reload");
    expect(await (await fetch(url)).text()).toContain("renamed_model");

    // A half-written line: a problem event, and the last good page is still served.
    fs.appendFileSync(judgments, '{"question_id": 81, "model": "broken"');
    await ev.wait("problem");
    const still = await (await fetch(url)).text();
    expect(still).toContain("renamed_model");
    expect(stderr).toMatch(/rebuild failed, keeping the last page: .*judgments\.jsonl:45/);
    ev.close();

    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  }, 60_000);

  it("serves a report folder with the live-reload client added, reloads when index.html changes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-dir-"));
    fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><html><body><p>v1</p></body></html>");
    const server = await startViewServer([dir], { pollMs: 50 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await (await fetch(server.url)).text();
      expect(page).toContain("<p>v1</p>");
      expect(page).toContain("/__parrot/events");
      // An encoded "../" path must not leave the folder (/etc/passwd exists on this machine).
      expect((await fetch(new URL("/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", server.url))).status).toBe(404);
      const ev = events(server.url);
      await ev.wait(":connected");
      fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><html><body><p>version 2</p></body></html>");
      await ev.wait("reload");
      expect(await (await fetch(server.url)).text()).toContain("version 2");
      ev.close();
    } finally {
      await server.close();
    }
  });

  it("refuses paths with nothing to show, naming them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-empty-"));
    fs.copyFileSync(path.join(MT, "judge_prompts.jsonl"), path.join(dir, "judge_prompts.jsonl"));
    await expect(startViewServer([dir])).rejects.toThrow(/no judgments, answers, questions, sessions or pairs/);
    await expect(startViewServer([path.join(dir, "missing.jsonl")])).rejects.toThrow(/no such file or folder/);
  });
});

/** One raw HTTP/1.1 request with any path and Host header (fetch cannot send a malformed path or another Host). */
function rawGet(port: number, reqPath: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: reqPath, method: "GET", headers: { host }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("parrot view: hostile requests", () => {
  const reportFolder = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-sec-"));
    fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><html><body><p>report</p></body></html>");
    return dir;
  };

  it("answers a malformed path (GET /%zz) with 400 in both modes and keeps running", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-bad-"));
    fs.writeFileSync(path.join(dataDir, "judgments.jsonl"), fs.readFileSync(JUDGMENTS, "utf8").trim().split("\n").slice(0, 8).join("\n") + "\n");
    for (const server of [await startViewServer([reportFolder()]), await startViewServer([dataDir], { resamples: 10 })]) {
      try {
        for (const bad of ["/%zz", "/%E0%A4%A", "/a%", "//x:99999"]) expect((await rawGet(server.port, bad)).status, bad).toBe(400);
        const ok = await rawGet(server.port, "/");
        expect(ok.status).toBe(200);
        expect(ok.body).toContain("</html>");
      } finally {
        await server.close();
      }
    }
  });

  it("answers only Host 127.0.0.1:PORT, localhost:PORT and [::1]:PORT (no DNS rebinding)", async () => {
    const server = await startViewServer([reportFolder()]);
    try {
      const p = server.port;
      for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`]) {
        const r = await rawGet(p, "/", host);
        expect(r.status, host).toBe(200);
        expect(r.body).toContain("<p>report</p>");
      }
      for (const host of ["evil.example.com", `evil.example.com:${p}`, `127.0.0.1:${p + 1}`, "127.0.0.1", `localhost.evil.example.com:${p}`, `127.0.0.2:${p}`]) {
        const r = await rawGet(p, "/", host);
        expect(r.status, host).toBe(421);
        expect(r.body).not.toContain("report");
        expect((await rawGet(p, "/__parrot/events", host)).status, host).toBe(421);
      }
    } finally {
      await server.close();
    }
  });

  it("serves only the report's own files in a report folder: no dotfiles, no other files, no symlink out", async () => {
    const dir = reportFolder();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-outside-"));
    fs.writeFileSync(path.join(outside, "secret.txt"), "TOP SECRET");
    fs.writeFileSync(path.join(dir, ".env"), "PARROT_API_KEY=sk-secret");
    fs.writeFileSync(path.join(dir, "notes.txt"), "private notes");
    fs.symlinkSync("/etc/passwd", path.join(dir, "passwd.txt"));
    fs.symlinkSync(outside, path.join(dir, "sub"));
    const server = await startViewServer([dir]);
    try {
      for (const p of ["/.env", "/notes.txt", "/passwd.txt", "/sub/secret.txt", "/%2Eenv", "/sub%2Fsecret.txt"]) {
        const r = await rawGet(server.port, p);
        expect(r.status, p).toBe(404);
        expect(r.body).not.toMatch(/secret|root:|private/i);
      }
      expect((await rawGet(server.port, "/index.html")).status).toBe(200);
      expect(server.files).toEqual([path.join(dir, "index.html")]);
    } finally {
      await server.close();
    }
    // index.html itself a link out of the folder: not served either.
    const linked = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-view-link-"));
    fs.writeFileSync(path.join(outside, "index.html"), "<html><body>outside</body></html>");
    fs.symlinkSync(path.join(outside, "index.html"), path.join(linked, "index.html"));
    const s2 = await startViewServer([linked]);
    try {
      const r = await rawGet(s2.port, "/");
      expect(r.status).toBe(404);
      expect(r.body).not.toContain("outside");
    } finally {
      await s2.close();
    }
  });
});
