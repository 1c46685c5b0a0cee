import { createRequire } from 'node:module';

/**
 * nest-commander requires `inquirer` when it loads, for interactive prompts. bisk never prompts
 * (systemd and scripts run it), yet inquirer and its dependencies stay resident: about 13 MB of
 * the service's memory (bench/RESULTS.md). Imported first by cli.ts, this hands nest-commander a
 * stand-in that loads the real inquirer on first use, so a prompt would still work.
 */
type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const Module = createRequire(import.meta.url)('node:module') as { _load: Loader };
const load = Module._load;

/** What inquirer 8 exports. */
const INQUIRER_API = new Set(['prompt', 'createPromptModule', 'registerPrompt', 'restoreDefaultPrompts', 'Separator', 'prompts', 'ui']);

Module._load = function lazyInquirer(this: unknown, request: string, parent: unknown, isMain: boolean) {
  if (request !== 'inquirer') return load.call(this, request, parent, isMain);
  let real: Record<string | symbol, unknown> | undefined;
  const inquirer = () => (real ??= load.call(this, request, parent, isMain) as Record<string | symbol, unknown>);
  return new Proxy({} as Record<string | symbol, unknown>, {
    // `__esModule` keeps TypeScript's import helper from copying (and so loading) every export;
    // other names (Nest looks for `then` and lifecycle hooks on every provider value) are not inquirer's.
    get: (_target, key) => (key === '__esModule' ? true : typeof key === 'string' && INQUIRER_API.has(key) ? inquirer()[key] : undefined),
  });
};
