/**
 * Secret redaction for anything parrot prints or writes: API keys never reach outputs, caches or logs.
 */
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_\-*]{6,}/g, /\bBearer\s+[A-Za-z0-9._\-]{8,}/gi];

/** Replace known secrets (the keys in the environment) and key-shaped tokens in `text` with `[REDACTED]`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ["PARROT_API_KEY", "OPENAI_API_KEY"]) {
    const v = env[name];
    if (v && v.length >= 4) out = out.split(v).join("[REDACTED]");
  }
  for (const re of KEY_PATTERNS) out = out.replace(re, "[REDACTED]");
  return out;
}
