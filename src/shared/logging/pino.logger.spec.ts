import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { duplicateKeys } from '../../../test/support/json-keys.js';
import { PinoLogger } from './pino.logger.js';

/** A PinoLogger writing into an array, used as Nest's logger the way the application uses it. */
function capture(level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _e, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
  const logger = new PinoLogger(pino({ level, base: undefined, timestamp: false }, stream));
  Logger.overrideLogger(logger);
  return { lines, parsed: () => lines.map((line) => JSON.parse(line)) };
}

describe('PinoLogger (Nest LoggerService over pino)', () => {
  it('writes what Nest Loggers pass: context once, fields merged, message', () => {
    const out = capture();
    const logger = new Logger('BridgeClient');
    logger.log('plain message');
    logger.warn({ instance: 'suporte', status: 502, context: 'HTTP' }, 'bridge activation failed');
    Logger.log('static call', 'RouterExplorer');
    expect(out.parsed()).toEqual([
      { level: 30, context: 'BridgeClient', msg: 'plain message' },
      { level: 40, instance: 'suporte', status: 502, context: 'BridgeClient', msg: 'bridge activation failed' },
      { level: 30, context: 'RouterExplorer', msg: 'static call' },
    ]);
    expect(out.lines.flatMap(duplicateKeys)).toEqual([]);
  });

  it('puts an Error under err, and reads Nest\'s (message, stack, context) contract as an error', () => {
    const out = capture();
    new Logger('Svc').error(new Error('boom'));
    new Logger('ExceptionHandler').error('it failed', 'Error: it failed\n    at somewhere (file.js:1:1)');
    const [first, second] = out.parsed();
    expect(first).toMatchObject({ level: 50, context: 'Svc', msg: 'boom', err: { message: 'boom', type: 'Error' } });
    expect(second).toMatchObject({ level: 50, context: 'ExceptionHandler', msg: 'it failed', err: { message: 'it failed', stack: expect.stringContaining('at somewhere') } });
  });

  it('maps verbose to trace and writes nothing below the level', () => {
    const out = capture('info');
    new Logger('X').debug('hidden');
    new Logger('X').verbose('hidden too');
    expect(out.lines).toEqual([]);
    const all = capture('trace');
    new Logger('X').verbose('shown');
    expect(all.parsed()).toEqual([{ level: 10, context: 'X', msg: 'shown' }]);
  });
});

describe('duplicateKeys', () => {
  it('finds a key written twice, at any depth, and nothing in clean JSON', () => {
    expect(duplicateKeys('{"context":"HTTP","a":{"b":[{"c":1,"c":2}]},"context":"BridgeClient"}')).toEqual(['context', 'c']);
    expect(duplicateKeys('{"a":"x,\\"b\\":1","b":[1,{"a":2}],"c":{}}')).toEqual([]);
  });
});
