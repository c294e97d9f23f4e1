/**
 * The in-process CLI runner (test/support/cli.ts runCliInProcess) that the bad-input, secrets and other CLI tests
 * use: it must capture commander's own output, give the same exit codes as the binary, leave the test process's
 * environment, exit code, console and streams as they were, and keep concurrent runs apart.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

describe("runCliInProcess", () => {
  it("captures commander's help, version and usage errors with the binary's exit codes", async () => {
    const help = await runCliInProcess(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: parrot /);
    expect(help.stdout).toContain("HTTP keys come from PARROT_API_KEY");
    expect(help.stderr).toBe("");
    const version = await runCliInProcess(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n", stderr: "" });
    const sub = await runCliInProcess(["bench", "answer", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: parrot bench answer /);
    const unknown = await runCliInProcess(["frobnicate"]);
    const real = await runCli(["frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect({ code: unknown.code, stdout: unknown.stdout, stderr: unknown.stderr }).toEqual({ code: real.code, stdout: real.stdout, stderr: real.stderr });
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it("restores env, exit code, console and the streams; applies env and cwd for the run only", async () => {
    const before = { key: process.env.PARROT_API_KEY, ci: process.env.CI, cwd: process.cwd(), console: globalThis.console, write: process.stdout.write, tty: process.stdout.isTTY };
    const dir = tempDir("parrot-inproc-");
    const f = path.join(dir, "s.jsonl");
    fs.writeFileSync(f, '{"id":"a","messages":[{"role":"user","content":"hi"}]}\n{"id":"b","messages":[{"role":"user"\n');
    // A relative path resolves against `cwd`; the error names it and the backoff variable from `env` is read.
    const r = await runCliInProcess(["stats", "s.jsonl"], { cwd: dir, env: { PARROT_API_KEY: "sk-inprocTEST-1234567890abcdef" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/s\.jsonl:2: not valid JSON/);
    expect(r.stdout).toBe("");
    const good = path.join(dir, "good.jsonl");
    fs.writeFileSync(good, '{"id":"a","messages":[{"role":"user","content":"Tell me about volcanoes please."}]}\n');
    const bad = await runCliInProcess(["collect", "--seeds", good, "--asker", "http://127.0.0.1:9/v1#m", "--assistant", "http://127.0.0.1:9/v1#m", "--out", path.join(dir, "o.jsonl")], { env: { PARROT_BACKOFF_BASE_MS: "soon" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/PARROT_BACKOFF_BASE_MS "soon"/);
    expect(process.env.PARROT_API_KEY).toBe(before.key);
    expect(process.env.PARROT_BACKOFF_BASE_MS).toBeUndefined();
    expect(process.env.CI).toBe(before.ci);
    expect(process.cwd()).toBe(before.cwd);
    expect(process.exitCode).toBeUndefined();
    expect(globalThis.console).toBe(before.console);
    expect(process.stdout.write).toBe(before.write);
    expect(process.stdout.isTTY).toBe(before.tty);
  });

  it("concurrent runs queue and keep their outputs apart", async () => {
    const dir = tempDir("parrot-inproc-");
    const files = ["one", "two", "three"].map((n) => {
      const f = path.join(dir, `${n}.jsonl`);
      fs.writeFileSync(f, "{oops\n");
      return f;
    });
    const results = await Promise.all(files.map((f) => runCliInProcess(["stats", f])));
    results.forEach((r, i) => {
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${files[i]}:1: not valid JSON`);
    });
  });
});
