import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, REPO_ROOT } from "./support/cli.js";

describe("the parrot bin", () => {
  it("is built executable, so `npx --no-install parrot` runs it directly", () => {
    expect(() => fs.accessSync(CLI, fs.constants.X_OK)).not.toThrow();
  });

  it("`npx --no-install parrot --help` lists every command", () => {
    const r = spawnSync("npx", ["--no-install", "parrot", "--help"], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, CI: "1" } });
    expect(r.status).toBe(0);
    for (const cmd of ["collect", "stats", "context", "capo", "export", "train", "bench", "report", "view", "merge", "models"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
  });
});
