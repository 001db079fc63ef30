import { describe, expect, it } from '@jest/globals';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { Writable } from 'node:stream';
import { loggerOptions } from './logger.options.js';

function logLine(write: (logger: Logger) => void): string {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
  const [options] = loggerOptions('info').pinoHttp as [LoggerOptions];
  write(pino(options, stream) as unknown as Logger);
  return lines.join('');
}

describe('log options', () => {
  it('logs an error by its name, message, code and stack only: not its parameters or request', () => {
    const error = Object.assign(new Error('duplicate key'), {
      code: '23505',
      parameters: ['plain-secret-parameter'],
      config: { headers: { Authorization: 'Bearer plain-secret-header' } },
    });
    const line = JSON.parse(logLine((logger) => logger.error({ err: error }, 'failed')));
    expect(line.err).toEqual({ type: 'Error', message: 'duplicate key', code: '23505', stack: expect.stringContaining('duplicate key') });
    expect(JSON.stringify(line)).not.toContain('plain-secret');
  });

  it('redacts token fields at the top level and one level down', () => {
    const line = logLine((logger) => logger.info({ token: 'plain-secret-a', body: { chatwootApiToken: 'plain-secret-b' } }, 'x'));
    expect(line).not.toContain('plain-secret');
    expect(line).toContain('[Redacted]');
  });
});
