/**
 * `writeFileAtomic` (src/io/jsonl.ts), the writer of every whole-file output (export, train, report, context detect,
 * bench questions, models smoke): it never renames a temporary file over something that is not a regular file (a
 * FIFO or character device is written directly, so `--out /dev/null` is a sink; a directory, socket or block device
 * is refused), and a write that fails leaves no temporary file behind. The device case uses a private device node
 * (mknod, as root) so that a regression cannot replace the machine's own /dev/null.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../src/io/jsonl.js";
import { CLI, REPO_ROOT, SHARED, runCli, runCliInProcess } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"));

/** A character device to write to: a private copy of /dev/null when we may mknod (root), else /dev/null itself. */
function nullDevice(dir: string): string {
  const own = path.join(dir, "null");
  const r = spawnSync("mknod", [own, "c", "1", "3"]);
  return r.status === 0 ? own : "/dev/null";
}

describe("writeFileAtomic", () => {
  it("writes a FIFO directly (the reader gets the data, the FIFO stays a FIFO)", async () => {
    const dir = tempDir("parrot-atomic-");
    const fifo = path.join(dir, "out.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "ignore"] });
    let got = "";
    reader.stdout.on("data", (d) => (got += d));
    const done = new Promise<number | null>((resolve) => reader.on("close", (c) => resolve(c)));
    try {
      writeFileAtomic(fifo, "one\ntwo\n");
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3000));
      expect(await Promise.race([done, timeout])).toBe(0);
      expect(got).toBe("one\ntwo\n");
      expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
      expect(leftovers(dir)).toEqual([]);
    } finally {
      if (reader.exitCode === null) reader.kill("SIGKILL");
    }
  });

  it("writes a character device directly: it stays a device", () => {
    const dir = tempDir("parrot-atomic-dev-");
    const dev = nullDevice(dir);
    writeFileAtomic(dev, "discarded\n");
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it("refuses a directory with one line naming it, leaving no temporary file", () => {
    const dir = tempDir("parrot-atomic-dir-");
    const target = path.join(dir, "out");
    fs.mkdirSync(target);
    expect(() => writeFileAtomic(target, "x\n")).toThrow(/out: is a directory/);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it("writes through a symlink to a regular file: the link stays, the file it names is replaced", () => {
    const dir = tempDir("parrot-atomic-link-");
    fs.writeFileSync(path.join(dir, "real.jsonl"), "old\n");
    fs.symlinkSync("real.jsonl", path.join(dir, "link.jsonl"));
    writeFileAtomic(path.join(dir, "link.jsonl"), "new\n");
    expect(fs.lstatSync(path.join(dir, "link.jsonl")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "real.jsonl"), "utf8")).toBe("new\n");
    expect(leftovers(dir)).toEqual([]);
  });
});

describe("--out to a device or a failing file system (built CLI)", () => {
  it("export --out DEVICE exits 0 and leaves the device a device", async () => {
    const dir = tempDir("parrot-atomic-cli-");
    const dev = nullDevice(dir);
    const r = await runCli(["export", "sft-chat", SHAREGPT, "--format", "trl", "--out", dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    // llama-factory writes no dataset_info.json beside a device.
    const lf = await runCliInProcess(["export", "sft-chat", SHAREGPT, "--format", "llama-factory", "--out", dev]);
    expect(lf.code, lf.stderr).toBe(0);
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(fs.existsSync(path.join(path.dirname(dev), "dataset_info.json"))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it("merge --out DEVICE exits 0 and leaves the device a device", async () => {
    const dir = tempDir("parrot-atomic-merge-");
    const dev = nullDevice(dir);
    const shard = path.join(dir, "a.jsonl");
    fs.writeFileSync(shard, JSON.stringify({ id: "s1", messages: [{ role: "user", content: "hi there you" }, { role: "assistant", content: "hello" }], meta: {} }) + "\n");
    const r = await runCliInProcess(["merge", "--out", dev, shard]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 sessions ->/);
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it("a write that fails (file size limit, EFBIG) is one line, exit 1, and leaves neither output nor temporary file", () => {
    const dir = tempDir("parrot-atomic-efbig-");
    const out = path.join(dir, "chat.jsonl");
    // ulimit -f 1: at most 1 KiB per file; SIGXFSZ ignored so write(2) fails with EFBIG instead of killing node.
    const r = spawnSync("bash", ["-c", `trap '' XFSZ; ulimit -f 1; exec "$0" "$@"`, process.execPath, CLI, "export", "sft-chat", SHAREGPT, "--format", "trl", "--out", out], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/chat\.jsonl: cannot write \(EFBIG/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
