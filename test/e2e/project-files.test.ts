import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.js';

const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

/**
 * nest-cli.json is read by Nest developers and their tools: it must describe exactly what the
 * build does (`npm run build`: empty dist/, then tsc with tsconfig.build.json), and name no
 * tool the project does not install.
 */
describe('nest-cli.json', () => {
  const nest = json('nest-cli.json');
  const pkg = json('package.json');
  const tsconfig = json('tsconfig.json');

  it('describes the tsc build that npm run build runs', () => {
    expect(nest.compilerOptions.builder).toBe('tsc');
    expect(pkg.scripts.build).toMatch(new RegExp(`tsc -p ${nest.compilerOptions.tsConfigPath.replace('.', '\\.')}$`));
    expect(nest.compilerOptions.deleteOutDir).toBe(true);
    expect(pkg.scripts.build).toMatch(/rmSync\('dist'/);
  });

  it('names the entry that npm start runs, as built', () => {
    const entry = `${tsconfig.compilerOptions.outDir}/${nest.entryFile}.js`;
    expect(pkg.scripts.start).toBe(`node ${entry}`);
    expect(existsSync(join(ROOT, entry)), `${entry} (npm test builds first)`).toBe(true);
    expect(existsSync(join(ROOT, nest.sourceRoot, 'main.ts'))).toBe(true);
  });

  it('claims no schematics or plugins that are not installed', () => {
    const installed = { ...pkg.dependencies, ...pkg.devDependencies };
    if (nest.collection) expect(installed).toHaveProperty(nest.collection);
    for (const plugin of nest.compilerOptions.plugins ?? []) expect(installed).toHaveProperty(typeof plugin === 'string' ? plugin : plugin.name);
  });
});
