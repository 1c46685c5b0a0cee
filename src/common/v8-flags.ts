import { setFlagsFromString } from 'node:v8';

/**
 * The `bisk` process runs without V8's optimizing compiler (TurboFan). Its one long-lived
 * command is the service, which sleeps between ticks of a few milliseconds; what TurboFan
 * compiles while Nest boots stays resident for the life of the service: about 10 MB of its
 * idle memory (85 → 75 MB, bench/RESULTS.md). Interpreted and baseline-compiled code is
 * fast enough for ticks (their cost without it is in bench/RESULTS.md); the HTTP app (main.ts)
 * keeps the optimizing compiler — `bisk demo`, which serves it from the CLI, does not. Imported first
 * by cli.ts: it only takes effect before the code it would optimize has run.
 */
setFlagsFromString('--no-opt');
