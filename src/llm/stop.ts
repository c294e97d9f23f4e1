/**
 * The cut at stop strings, the same for every engine and for the user simulators' output cleaning.
 */

/**
 * Cut `text` before the earliest occurrence of any of `stops` (the OpenAI `stop` semantics: the stop string is not
 * returned). Servers that echo the stop string, node-llama-cpp's stop triggers and the simulators' marker cleaning
 * all go through here. Empty stop strings are ignored.
 * @param text generated text.
 * @param stops stop strings (undefined or empty: `text` unchanged).
 * @returns `text` up to (not including) the first stop string found.
 */
export function cutAtStop(text: string, stops: ReadonlyArray<string> | undefined): string {
  let end = text.length;
  for (const s of stops ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}
