/** CLI registration for the `report` stage (filled in by its issue). */
import type { Command } from "commander";

export function register(_program: Command): void {}
