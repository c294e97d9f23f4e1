/** `parrot bench questions`: the benchmark's questions in FastChat format (mt-bench-pp: turns 1-2 + turns 3-8). */
import { writeFileAtomic } from "../io/jsonl.js";
import { refuseOutputIsInput } from "../io/paths.js";
import { loadBenchQuestions, parseBench } from "./data.js";

/** The options of `bench questions` (its commander table: src/bench/command.ts). */
export interface QuestionsOptions {
  bench: string;
  questions: string;
  turns: string;
  out: string;
}

/** Write the merged questions to `o.out` (atomically). @throws UserError on bad input, or `--out` naming an input. */
export function runQuestions(o: QuestionsOptions): void {
  const qs = loadBenchQuestions(parseBench(o.bench), o.questions, o.turns);
  refuseOutputIsInput(o.out, { "--questions": o.questions, "--turns": o.bench === "mt-bench-pp" ? o.turns : undefined });
  writeFileAtomic(o.out, qs.map((q) => JSON.stringify(q)).join("\n") + "\n");
  process.stderr.write(`wrote ${qs.length} questions (${[...new Set(qs.map((q) => q.turns.length))].join("/")} turns) to ${o.out}\n`);
}
