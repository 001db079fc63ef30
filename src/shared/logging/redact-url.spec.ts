import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['/a?token=s3cret&x=1', '/a?token=[Redacted]&x=1'],
    ['/a?x=1&%74oken=s3cret', '/a?x=1&%74oken=[Redacted]'],
    ['/a?TO%6BEN=s3cret', '/a?TO%6BEN=[Redacted]'],
    ['/a?token[]=s3cret', '/a?token[]=[Redacted]'],
    ['/a?token%5B%5D=s3cret', '/a?token%5B%5D=[Redacted]'],
    ['/a?%2574oken=s3cret', '/a?%2574oken=[Redacted]'],
    ['/a?api_token=s3cret', '/a?api_token=[Redacted]'],
    // The key itself holds the secret: the whole parameter goes.
    ['/a?token%3Ds3cret&x=1', '/a?[Redacted]&x=1'],
    ['/a?next=%2Fb%3Ftoken%3Ds3cret', '/a?next=[Redacted]'],
    ['/a?x=1', '/a?x=1'],
    ['/a', '/a'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('survives malformed percent escapes', () => {
    expect(redactUrl('/a?%E0%A4%A=1&%74oken=s3cret&%zz=2')).toBe('/a?%E0%A4%A=1&%74oken=[Redacted]&%zz=2');
  });
});
