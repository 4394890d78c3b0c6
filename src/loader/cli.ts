#!/usr/bin/env node
/**
 * The `tracking-load` command (package.json "bin"): main() of command.ts with the process's arguments
 * and exit code. Nothing else, so that importing the command runs nothing; test/loader.e2e-spec.ts runs
 * this file built, as a process of its own.
 */
import { main } from './command';

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
