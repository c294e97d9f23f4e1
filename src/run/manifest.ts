/**
 * The run manifest (issue 12, item 2): the settings that define the rows of an append-only output, kept in a sidecar
 * file `OUT.manifest.json` beside it (not a row, so every reader of OUT is unchanged).
 *
 * Shape (JSON object, pretty-printed):
 *   {
 *     "parrot_manifest": 1,              // format version
 *     "command": "collect",              // the command that writes OUT
 *     "run_id": "3f9c2a1b",              // 8 hex digits of the first run's settings digest, kept by every resume
 *     "settings": {...},                 // what defines the rows: compared on every rerun
 *     "created": ISO time, "updated": ISO time,
 *     "runs": N,                         // runs (first + resumes) that wrote rows
 *     ...                                // other top-level keys are carried through untouched: later additions such
 *   }                                    // as token counts per role and stage live beside "settings", never in it
 *
 * `settings` holds, per command: models (specs), simulator, turns, prompt versions, bench, judge, sampling and
 * generation options, and digests (sha256) of the inputs' contents. Settings that do not change rows (concurrency,
 * timeouts, shard) and settings that only extend a run (collect `--limit`, capo `--max-queries`/`--strategies`) are
 * not in it. A "growing" setting (bench judge's answers by model) is a map compared on the keys both runs have: a new
 * model extends the run, a changed answer file of a model already judged is a difference.
 *
 * Rerunning into an OUT that holds rows with different settings is refused, naming each difference
 * (`turns: 2 in the manifest, 6 now`). An OUT with rows but no manifest (written before manifests existed) is
 * adopted: the current settings are recorded, with a note on stderr.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { UserError } from "../io/errors.js";
import { writeFileAtomic } from "../io/jsonl.js";
import { fileSystemError } from "../io/paths.js";

export const MANIFEST_FORMAT = 1;

/** What a command says about its run: its name and the settings that define its rows. */
export interface RunSpec {
  /** e.g. "collect", "bench judge". */
  command: string;
  /** JSON values only; compared deeply on every rerun. */
  settings: Record<string, unknown>;
  /** Top-level keys of `settings` whose values are maps that may grow (compared on shared keys, then merged). */
  growing?: ReadonlyArray<string>;
}

/** The sidecar file (see the module comment for the shape). */
export interface RunManifest {
  parrot_manifest: number;
  command: string;
  run_id: string;
  settings: Record<string, unknown>;
  created: string;
  updated: string;
  runs: number;
  [extra: string]: unknown;
}

/** The manifest file of an output: `OUT.manifest.json` beside it. */
export function manifestFileOf(out: string): string {
  return `${out}.manifest.json`;
}

/** sha256 (hex) of a sequence of JSON values, each serialized with JSON.stringify, in order: a digest of parsed input. */
export function digestValues(values: Iterable<unknown>): string {
  const h = createHash("sha256");
  for (const v of values) h.update(JSON.stringify(v) ?? "null").update("\n");
  return h.digest("hex");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return "unset";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Differences between recorded and current settings, one string per leaf: `models.assistant: "a" in the manifest,
 * "b" now`. Plain objects are compared key by key; arrays and scalars as JSON. For `growing` top-level keys only the
 * keys present on both sides are compared.
 */
export function diffSettings(before: Record<string, unknown>, now: Record<string, unknown>, growing: ReadonlyArray<string> = []): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, where: string, onlyShared: boolean) => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        if (onlyShared && (!(k in a) || !(k in b))) continue;
        walk(a[k], b[k], where ? `${where}.${k}` : k, false);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${where}: ${show(a)} in the manifest, ${show(b)} now`);
  };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  for (const k of keys) walk(before[k], now[k], k, growing.includes(k));
  return out;
}

/**
 * The run id of a new run: the first 8 hex digits of the sha256 of its command and settings. Runs with other
 * settings get other ids (collect's session ids `SEED@RUN_ID` never collide across such collections); the shards of
 * one run, or the same command rerun into another file, get the same id, so `merge` still sees their rows as the same.
 */
export function runIdOf(spec: RunSpec): string {
  return digestValues([spec.command, spec.settings]).slice(0, 8);
}

/** The manifest of `out`, or undefined when there is none. @throws UserError when it is not a manifest. */
export function readManifest(out: string): RunManifest | undefined {
  const file = manifestFileOf(out);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileSystemError(err, file, "cannot read the run manifest");
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not a parrot run manifest (not JSON); move it away or use another --out`);
  }
  if (!isPlainObject(v) || typeof v.parrot_manifest !== "number" || typeof v.command !== "string" || !isPlainObject(v.settings)) {
    throw new UserError(`${file}: not a parrot run manifest (needs parrot_manifest, command, settings); move it away or use another --out`);
  }
  if (v.parrot_manifest > MANIFEST_FORMAT) throw new UserError(`${file}: manifest format ${v.parrot_manifest} is newer than this parrot (${MANIFEST_FORMAT}); upgrade parrot`);
  return v as RunManifest;
}

/**
 * The manifest this run will write, after checking it against the recorded one.
 * @param hasRows whether OUT already holds rows (a manifest without rows is from a run that wrote nothing: replaced).
 * @throws UserError naming every difference when OUT holds rows written with other settings.
 */
export function reconcileManifest(out: string, spec: RunSpec, hasRows: boolean, note: (line: string) => void): RunManifest {
  const now = new Date().toISOString();
  const old = readManifest(out);
  if (old && hasRows) {
    const diffs = old.command !== spec.command ? [`command: ${show(old.command)} in the manifest, ${show(spec.command)} now`] : diffSettings(old.settings, spec.settings, spec.growing);
    if (diffs.length > 0) {
      throw new UserError(
        `${out} holds rows of a run with other settings (${manifestFileOf(out)}): ${diffs.join("; ")}; ` +
          `rerun with the same settings to resume, or write to another --out`,
      );
    }
    const settings = { ...spec.settings };
    for (const k of spec.growing ?? []) {
      const a = old.settings[k];
      const b = spec.settings[k];
      if (isPlainObject(a) && isPlainObject(b)) settings[k] = { ...a, ...b };
    }
    return { ...old, settings, updated: now };
  }
  if (!old && hasRows) note(`parrot: ${out} has no run manifest (written by an older parrot); recording this run's settings in ${manifestFileOf(out)}`);
  return { parrot_manifest: MANIFEST_FORMAT, command: spec.command, run_id: runIdOf(spec), settings: spec.settings, created: now, updated: now, runs: 0 };
}

/** Write the manifest of `out` atomically. @throws UserError (one line) on a file-system error. */
export function writeManifest(out: string, m: RunManifest): void {
  try {
    writeFileAtomic(manifestFileOf(out), JSON.stringify(m, null, 2) + "\n");
  } catch (err) {
    throw fileSystemError(err, manifestFileOf(out), "cannot write the run manifest");
  }
}
