import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * scripts/build-if-sources.mjs (run before npm start, npm run bridge, the CLIs, npm test): it runs
 * tsc only when an input changed since its last successful build. Checked on a one-file project in
 * a clone's layout, by removing the compiled file and seeing whether the next run brings it back.
 */
describe('build-if-sources', () => {
  let dir: string;
  const compiled = () => join(dir, 'dist/src/a.js');
  const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/build-if-sources.mjs', ...args], { cwd: dir, encoding: 'utf8' });
  /** Runs the script after removing the compiled file: true when it compiled again. */
  const rebuilt = () => {
    rmSync(compiled(), { force: true });
    const { status, stderr, stdout } = run();
    expect({ status, output: stderr + stdout }).toEqual({ status: 0, output: '' });
    return existsSync(compiled());
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ryze-build-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(ROOT, 'scripts/build-if-sources.mjs'), join(dir, 'scripts/build-if-sources.mjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    // The smallest standard library: tsc's own start is most of each run.
    const compilerOptions = { target: 'es2015', lib: ['es5'], module: 'es2015', outDir: 'dist', rootDir: '.', types: [], strict: true };
    writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    writeFileSync(join(dir, 'src/a.ts'), 'export const a: number = 1;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles on the first run, and not again while no input changed', () => {
    expect(rebuilt()).toBe(true);
    expect(rebuilt()).toBe(false);
  });

  it('compiles again when a source changes (content, or only its mtime), is added or is deleted', () => {
    writeFileSync(join(dir, 'src/a.ts'), 'export const a: number = 2;\n');
    expect(rebuilt()).toBe(true);
    expect(readFileSync(compiled(), 'utf8')).toContain('a = 2');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src/a.ts'), later, later);
    expect(rebuilt()).toBe(true);
    writeFileSync(join(dir, 'src/b.ts'), 'export const b = 1;\n');
    expect(rebuilt()).toBe(true);
    rmSync(join(dir, 'src/b.ts'));
    expect(rebuilt()).toBe(true);
    expect(rebuilt()).toBe(false);
  });

  it('compiles again when a tsconfig changes', () => {
    const tsconfig = join(dir, 'tsconfig.build.json');
    writeFileSync(tsconfig, readFileSync(tsconfig, 'utf8').replace('"strict":true', '"strict":true,"sourceMap":true'));
    expect(rebuilt()).toBe(true);
    expect(existsSync(`${compiled()}.map`)).toBe(true);
  });

  it('a failed build is not remembered: the next run tries again, and fails again', () => {
    writeFileSync(join(dir, 'src/bad.ts'), 'export const bad: number = "text";\n');
    const first = run();
    const second = run();
    expect([first.status, second.status]).toEqual([2, 2]);
    expect(second.stdout).toContain("Type 'string' is not assignable to type 'number'");
    writeFileSync(join(dir, 'src/bad.ts'), 'export const bad: number = 3;\n');
    expect(rebuilt()).toBe(true);
    rmSync(join(dir, 'src/bad.ts'));
  });

  it('without the tsconfig (the Docker image: dist/ and no sources) it builds nothing', () => {
    rmSync(join(dir, 'tsconfig.build.json'));
    rmSync(join(dir, 'src'), { recursive: true });
    expect(rebuilt()).toBe(false);
  });

  it('an unknown build name is refused', () => {
    const { status, stderr } = run('nonsense');
    expect(status).toBe(1);
    expect(stderr).toContain('unknown build "nonsense": one of build, tools');
  });
});
