// Compiles dist/ when the TypeScript sources are here (a clone); in the Docker image, which holds
// dist/ and no sources, there is nothing to build and the compiled code runs as it is.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (existsSync(`${root}tsconfig.build.json`)) {
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}
