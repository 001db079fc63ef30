import { describe, expect, it } from '@jest/globals';
import { FileTypeValidator } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

const ROOT = resolve(import.meta.dirname, '../..');
const json = (file: string) => JSON.parse(readFileSync(resolve(ROOT, file), 'utf8'));

describe('versions that agree', () => {
  it('every locked package runs on the oldest Node the project declares (no EBADENGINE on install)', () => {
    const declared = json('package.json').engines.node as string;
    const oldest = semver.minVersion(declared)!.version;
    const refusing = Object.entries(json('package-lock.json').packages as Record<string, { engines?: { node?: string } }>)
      .filter(([, pkg]) => typeof pkg.engines?.node === 'string' && !semver.satisfies(oldest, pkg.engines.node))
      .map(([path, pkg]) => `${path.replace(/^.*node_modules\//, '')} wants node ${pkg.engines!.node}`);
    expect(refusing).toEqual([]);
  });

  it('the Docker image and CI use the Node major the project declares', () => {
    const major = semver.minVersion(json('package.json').engines.node)!.major;
    expect(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8')).toMatch(new RegExp(`^FROM node:${major}-`, 'm'));
    expect(semver.major(process.version)).toBeGreaterThanOrEqual(major);
  });

  // file-type is overridden to a Node 20 release; @nestjs/common uses it only for this validator.
  it("@nestjs/common's FileTypeValidator still tells file types apart with the overridden file-type", async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    const file = (buffer: Buffer, mimetype: string) => ({ buffer, mimetype, size: buffer.length }) as never;
    expect(await validator.isValid(file(png, 'image/png'))).toBe(true);
    expect(await validator.isValid(file(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 'image/png'))).toBe(false);
  });
});
