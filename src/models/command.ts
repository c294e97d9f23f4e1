/**
 * `parrot models smoke --tokenizer DIR --out FILE.gguf [--seed N] [--layers N] [--embd N] [--pre NAME]`: write a tiny
 * random-weight llama GGUF with DIR's tokenizer and chat template (see smoke.ts), for offline tests of the local engine.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";
import { writeSmokeModel } from "./smoke.js";

function intFlag(name: string): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new UserError(`--${name} ${JSON.stringify(v)}: expected a non-negative integer`);
    return Number(v);
  };
}

export function register(program: Command): void {
  const models = program.command("models").description("model utilities (smoke GGUF for offline tests)");
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
