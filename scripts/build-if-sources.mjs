// Compiles dist/ when the TypeScript sources are here (a clone) and changed since the last build by
// this script; in the Docker image, which holds dist/ and no sources, there is nothing to build.
//   node scripts/build-if-sources.mjs          the applications (tsconfig.build.json: src/, ormconfigs)
//   node scripts/build-if-sources.mjs tools    also tools/, bench/ and test/support/ (tsconfig.tools.json)
// "Changed" = the path, size and mtime of any input file, or the set of files, differ from what the
// last successful build saw (kept in dist/.build-<name>.json): a deleted or restored file counts too.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECTS = {
  build: { tsconfig: 'tsconfig.build.json', dirs: ['src'] },
  tools: { tsconfig: 'tsconfig.tools.json', dirs: ['src', 'tools', 'bench', 'test/support'] },
};
const SHARED_INPUTS = ['ormconfig.ts', 'ormconfig.bridge.ts', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.tools.json', 'package-lock.json'];

const root = fileURLToPath(new URL('..', import.meta.url));
const name = process.argv[2] ?? 'build';
const project = PROJECTS[name];
if (!project) throw new Error(`unknown build "${name}": one of ${Object.keys(PROJECTS).join(', ')}`);

if (existsSync(join(root, project.tsconfig))) {
  const stamp = join(root, 'dist', `.build-${name}.json`);
  const fingerprint = inputsFingerprint();
  const last = existsSync(stamp) ? JSON.parse(readFileSync(stamp, 'utf8')).fingerprint : undefined;
  if (fingerprint !== last) {
    const { status } = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, project.tsconfig)], { stdio: 'inherit' });
    // A failed build leaves the last fingerprint: the next run compiles again.
    if (status !== 0) process.exit(status ?? 1);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(stamp, JSON.stringify({ fingerprint }));
  }
}

function inputsFingerprint() {
  const hash = createHash('sha256');
  const add = (path) => {
    const { size, mtimeMs } = statSync(join(root, path));
    hash.update(`${path}\0${size}\0${mtimeMs}\n`);
  };
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) add(path);
    }
  };
  project.dirs.filter((dir) => existsSync(join(root, dir))).forEach(walk);
  SHARED_INPUTS.filter((file) => existsSync(join(root, file))).forEach(add);
  return hash.digest('hex');
}
