/**
 * `parrot models list|pull|serve|smoke` (see command.ts): the registry's models and their cache, llama-server, and
 * the smoke GGUF.
 */
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { parseModelSpec } from "../llm/spec.js";
import { isCached, modelCacheDir, pullModel } from "./pull.js";
import { findLlamaServer, llamaCppSource, startLlamaServer } from "./serve.js";
import { DEFAULT_MODEL_NAME, MODELS } from "./registry.js";
import { writeSmokeModel } from "./smoke.js";

export interface ListFlags {
  json?: boolean;
}

export interface ServeFlags {
  port?: number;
  parallel: number;
  context: number;
  threads?: number;
  buildOnly?: boolean;
  verbose?: boolean;
}

export interface SmokeFlags {
  tokenizer: string;
  out: string;
  seed: number;
  layers: number;
  embd: number;
  pre?: string;
}

/** `parrot models list`: the registered models and whether each is cached (a table, or JSON with --json). */
export function runList(flags: ListFlags): void {
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
}

/** `parrot models pull NAME`: fetch a registered model into the user cache; prints its path on stdout. */
export async function runPull(name: string): Promise<void> {
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
}

/** `parrot models serve`: resolve the model, find (or build) llama-server, serve until Ctrl-C. */
export async function runServe(model: string | undefined, flags: ServeFlags): Promise<void> {
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

/** `parrot models smoke`: write the tiny random-weight GGUF of a tokenizer folder. */
export function runSmoke(flags: SmokeFlags): void {
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
}
