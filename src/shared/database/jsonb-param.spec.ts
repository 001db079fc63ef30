import { describe, expect, it } from '@jest/globals';
import { pgliteSerializers } from './data-source.options.js';
import { jsonbParam } from './jsonb-param.js';

describe('jsonbParam', () => {
  it('is the jsonb binary format: version 1, then the UTF-8 text', () => {
    const param = jsonbParam('{"text":"Olá ✓"}');
    expect(param[0]).toBe(1);
    expect(param.subarray(1).toString('utf8')).toBe('{"text":"Olá ✓"}');
    expect(param.length).toBe(1 + Buffer.byteLength('{"text":"Olá ✓"}'));
  });

  it("passes PGlite's jsonb serializer untouched; other values are still serialized as JSON text", () => {
    const serialize = Object.values(pgliteSerializers)[0];
    const param = jsonbParam('[1]');
    expect(serialize(param)).toBe(param);
    expect(serialize({ a: 1 })).toBe('{"a":1}');
    expect(serialize('{"a":1}')).toBe('{"a":1}');
  });
});
