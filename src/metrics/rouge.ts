/**
 * ROUGE-L as Google's `rouge-score` package computes it (rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)):
 * tokens = lowercase text, every run of characters outside [a-z0-9] replaced by a space, split on whitespace
 * (so non-ASCII letters are dropped, exactly like rouge-score's default tokenizer); no stemming.
 * Score = F1 of LCS precision (LCS / |prediction|) and recall (LCS / |reference|); 0 when either side is empty.
 */

/** rouge-score's default tokenization. */
export function rougeTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((t) => t.length > 0);
}

/** Length of the longest common subsequence of two token arrays (O(n*m) time, O(min(n,m)) memory). */
export function lcsLength(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number {
  if (a.length < b.length) [a, b] = [b, a];
  const m = b.length;
  if (m === 0) return 0;
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    for (let j = 1; j <= m; j++) {
      cur[j] = ai === b[j - 1] ? prev[j - 1] + 1 : cur[j - 1] > prev[j] ? cur[j - 1] : prev[j];
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m];
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** ROUGE-L between token-id sequences (see `TokenIds` for mapping strings to ids once). */
export function rougeLFromIds(reference: ReadonlyArray<number>, prediction: ReadonlyArray<number>): RougeScore {
  if (reference.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(reference, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / reference.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** Maps tokens to small integers so LCS compares numbers, not strings. */
export class TokenIds {
  private readonly ids = new Map<string, number>();
  encode(text: string): number[] {
    return rougeTokenize(text).map((t) => {
      let id = this.ids.get(t);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(t, id);
      }
      return id;
    });
  }
}

/** ROUGE-L between two texts, rouge-score compatible. */
export function rougeL(reference: string, prediction: string): RougeScore {
  const vocab = new TokenIds();
  return rougeLFromIds(vocab.encode(reference), vocab.encode(prediction));
}

/**
 * Self-ROUGE of one session's queries (paper Table 1): the mean ROUGE-L F1 over all unordered pairs of queries.
 * ROUGE-L F1 is symmetric, so each pair is scored once.
 * @returns undefined for fewer than two queries.
 */
export function selfRouge(queries: ReadonlyArray<string>): number | undefined {
  if (queries.length < 2) return undefined;
  const vocab = new TokenIds();
  const ids = queries.map((q) => vocab.encode(q));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      sum += rougeLFromIds(ids[i], ids[j]).fmeasure;
      pairs++;
    }
  }
  return sum / pairs;
}
