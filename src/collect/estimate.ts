/**
 * `parrot collect --dry-run`: the requests and tokens a collection will need (estimator: src/run/estimate.ts).
 *
 * Per session of seed query s and target N user turns, with expected reply lengths a (assistant: max tokens × fill)
 * and q (asker: query max tokens × fill):
 * - turn t = 1..N, one assistant call: the chat of s and the t-1 earlier exchanges (replies and queries empty,
 *   their expected tokens added), generating a;
 * - turn t = 2..N, the simulator's calls (× expected attempts per query turn): the B.1 transcript
 *   (parrot-ask, raw completion) or the B.2 prompt (prompted, one chat message) of the history so far, generating q.
 * Each call is weighted by the chance that the session is still running: a query turn ends with an accepted query with
 * probability `queryAccept` (else the session stops there), so turn t's calls count `queryAccept^(t-2)` (simulator)
 * and `queryAccept^(t-1)` (assistant) times.
 */
import type { Message } from "../conversations/session.js";
import type { EstimateBuilder, EstimateModel } from "../run/estimate.js";
import type { Seed } from "./collect.js";
import { renderParrotAskPrompt, renderPromptedUserPrompt } from "./prompts.js";
import type { SimulatorMode } from "./simulators.js";

export interface CollectEstimateOptions {
  turns: number;
  simulator: SimulatorMode;
  assistantMaxTokens: number;
  askerMaxTokens: number;
}

/** Add the estimated calls of collecting `seeds` to `into`. */
export function estimateCollect(
  seeds: ReadonlyArray<Seed>,
  models: { assistant: EstimateModel; asker: EstimateModel },
  opts: CollectEstimateOptions,
  into: EstimateBuilder,
): void {
  const a = opts.assistantMaxTokens * models.assistant.rates.fill.assistant;
  const q = opts.askerMaxTokens * models.asker.rates.fill.asker;
  const attempts = models.asker.rates.queryAttempts;
  const accept = models.asker.rates.queryAccept;
  for (const seed of seeds) {
    // Generated texts are left empty; `generated` counts their expected tokens.
    const history: Message[] = [{ role: "user", content: seed.query }];
    let generated = 0;
    let running = 1; // the chance the session reaches this turn
    for (let t = 1; t <= opts.turns; t++) {
      const prompt = models.assistant.counter.chat(history) + generated;
      into.add({ role: "assistant", model: models.assistant.id, stage: "response", turn: t }, prompt, a, running);
      history.push({ role: "assistant", content: "" });
      generated += a;
      if (t === opts.turns) break;
      const askPrompt =
        opts.simulator === "parrot-ask"
          ? models.asker.counter.text(renderParrotAskPrompt(history))
          : models.asker.counter.chat([{ role: "user", content: renderPromptedUserPrompt(history) }]);
      into.add({ role: "asker", model: models.asker.id, stage: "query", turn: t + 1 }, askPrompt + generated, q, attempts * running);
      running *= accept;
      history.push({ role: "user", content: "" });
      generated += q;
    }
  }
}
