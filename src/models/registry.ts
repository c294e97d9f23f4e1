/**
 * PLACEHOLDER for main's model registry (issue 7 work, `src/models/registry.ts`), kept to the same exported signatures
 * so the merge replaces this file as is. It knows one model, SmolLM2-135M-Instruct Q4_1 (`smollm2-135m`, also
 * `default`), and only finds an already cached, sha256-verified copy in `defaultModelDir()`; main's version pulls it.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../io/errors.js";
import { defaultModelDir } from "../llm/gguf.js";

const KNOWN: Record<string, { file: string; sha256: string }> = {
  "smollm2-135m": { file: "SmolLM2-135M-Instruct.Q4_1.gguf", sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53" },
};

/** Is `name` a registered model name (`default` included)? */
export function isRegisteredModelName(name: string): boolean {
  return name === "default" || name in KNOWN;
}

/**
 * Local GGUF path of a registered model (placeholder: cached copy only).
 * @throws UserError for unknown names, or when the file is not cached / fails its sha256.
 */
export async function resolveRegisteredGguf(name: string, opts: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const m = KNOWN[name === "default" ? "smollm2-135m" : name];
  if (!m) throw new UserError(`unknown model "${name}" (registered: default, ${Object.keys(KNOWN).join(", ")})`);
  const file = path.join(defaultModelDir(opts.env ?? process.env), m.file);
  if (!fs.existsSync(file)) throw new UserError(`model ${name} is not cached (${file}); run \`parrot models pull\``);
  const sha = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  if (sha !== m.sha256) throw new UserError(`${file}: sha256 ${sha} does not match ${m.sha256}`);
  opts.log?.(`model ${name}: ${file}`);
  return file;
}
