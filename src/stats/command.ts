/** CLI registration for the `stats` stage. */
import type { Command } from "commander";

export function register(_program: Command): void {}
