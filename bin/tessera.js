#!/usr/bin/env node
// The admin CLI entry point (`npx tessera …`); the code is compiled from src/cli by `npm install`.
import { runCli } from '../dist/src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
