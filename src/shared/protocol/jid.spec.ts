import { describe, expect, it } from '@jest/globals';
import { toJid, WHATSAPP_ADDRESS } from './jid.js';

describe('WHATSAPP_ADDRESS', () => {
  it('accepts exactly what toJid accepts', () => {
    const samples = [
      '5511999999999', '+5511999999999', ' 5511999999999 ', '12345', '1234', '1'.repeat(20), '1'.repeat(21),
      '5511999999999@s.whatsapp.net', '120363000000000000@g.us', '5511999999999-1600000000@g.us',
      '+5511999999999@s.whatsapp.net', '5511999999999@c.us', '55 11 99999 9999', '', 'abc', '5511-99999',
      '5511999999999-16@g.us', '\t5511999999999\n',
    ];
    for (const sample of samples) expect([sample, WHATSAPP_ADDRESS.test(sample)]).toEqual([sample, toJid(sample) !== undefined]);
  });
});
