/**
 * CLI: `parrot train setup [--engine trl]` and `parrot train ask|chat|capo --data FILE --engine trl|axolotl
 * --base-model MODEL --out DIR [--launch] [--python PATH] [--gpus N] [--nodes M] [--tokenizer DIR] [--max-turns N]
 * [--strategies ...] [--max-steps N] [--max-samples N] [--max-length N] [--lora] [--lr X] [--epochs N] [--beta X]`.
 *
 * Writes into DIR: the engine's dataset (through `parrot export`; TRL SFT data pre-tokenized with the base model's
 * tokenizer), its config with the paper's hyperparameters (config.ts), run.sh, README.md, and for TRL
 * parrot_train.py + parrot.json. `--launch` trains: TRL in the Python of `parrot train setup` (python/), writing
 * DIR/metrics.jsonl, DIR/checkpoint/ and DIR/model.gguf (llama.cpp's convert_hf_to_gguf.py from the source
 * node-llama-cpp ships, env.ts).
 *
 * MODEL: a Hugging Face id or folder, a registered parrot model (`default`, `smollm2-135m`) or `gguf:PATH`; a GGUF
 * is loaded with transformers' GGUF support (dequantized).
 *
 * The options table; the run is src/train/run.ts.
 */
import type { Command } from "commander";
import { intOption, positiveNumberOption } from "../run/flags.js";
import { DPO_BETA, LORA, type TrainKind } from "./config.js";
import { runSetup, runTrain, type SetupFlags, type TrainFlags } from "./run.js";

export function register(program: Command): void {
  const train = program.command("train").description("train Parrot-Ask / Parrot-Chat / CaPO (TRL; configs for axolotl) with the paper's hyperparameters");
  train
    .command("setup")
    .description("make the Python environment for an engine (a venv with python/requirements-<engine>.txt) and the llama.cpp converter; idempotent")
    .option("--engine <engine>", "trl", "trl")
    .option("--dir <dir>", "venv folder (default: the user cache, where `parrot train` finds it)")
    .action((o: SetupFlags) => runSetup(o));
  for (const kind of ["ask", "chat", "capo"] as TrainKind[]) {
    train
      .command(kind)
      .description(
        { ask: "Parrot-Ask: SFT on user queries (Eq. 3)", chat: "Parrot-Chat: SFT on assistant responses (Eq. 2)", capo: "CaPO: DPO on preference pairs from `parrot capo`" }[kind],
      )
      .requiredOption("--data <file>", kind === "capo" ? "preference pairs JSONL" : "sessions (ShareGPT, OpenAI messages, OpenAssistant or parrot records)")
      .requiredOption("--engine <engine>", "trl or axolotl")
      .requiredOption(
        "--base-model <model>",
        kind === "capo"
          ? "the Parrot-Chat SFT checkpoint (DIR/checkpoint of `train chat`), a Hugging Face id or folder, a registered model or gguf:PATH"
          : "Hugging Face id or folder, a registered parrot model (default, smollm2-135m) or gguf:PATH",
      )
      .requiredOption("--out <dir>", "folder for dataset, config, run.sh, README.md (and metrics.jsonl, checkpoint/, model.gguf)")
      .option("--launch", "train now (trl: in the environment of `parrot train setup`)")
      .option("--python <path>", "the Python to train with (default: the venv of `parrot train setup`)")
      .option("--gpus <n>", "GPUs per node (default 1)", intOption("gpus"))
      .option("--nodes <n>", "nodes (default 1)", intOption("nodes"))
      .option("--tokenizer <dir>", "tokenizer folder to tokenize the data with (default: the base model's own)")
      .option("--max-turns <n>", "keep the first N user turns (Table 5)", intOption("max-turns"))
      .option("--strategies <list>", "capo: negative types to keep (Table 6)")
      .option("--max-steps <n>", "stop after N optimizer steps (toy runs)", intOption("max-steps"))
      .option("--max-samples <n>", "train on the first N records only", intOption("max-samples"))
      .option("--max-length <n>", "longest record in tokens (default 4096, section 4.1.3); longer SFT records are dropped", intOption("max-length"))
      .option("--lora", `train a LoRA adapter (PEFT, r ${LORA.r}) and merge it into the checkpoint`)
      .option("--lr <x>", "learning rate (default 3e-5 SFT, 1e-5 DPO)", positiveNumberOption("lr"))
      .option("--epochs <n>", "epochs (default 3)", intOption("epochs"))
      .option("--beta <x>", `capo: DPO beta (default ${DPO_BETA})`, positiveNumberOption("beta"))
      .option("--no-gguf", "trl: skip the conversion to DIR/model.gguf")
      .action((o: TrainFlags) => runTrain(kind, o));
  }
}
