/** CLI registration for the `context` stage (filled in by its issue). */
import type { Command } from "commander";

export function register(_program: Command): void {}
