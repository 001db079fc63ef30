import type { MessageExchangeData } from '../src/shared/protocol/event-data.types.js';

const CONTACTS = ['Maria Silva', 'João Pereira', 'Ana Costa', 'Carlos Souza', 'Fernanda Lima', 'Paulo Santos', 'Juliana Alves', 'Rafael Gomes'];
const TEXTS = [
  'Olá, bom dia! Gostaria de saber o status do meu pedido #48213. Foi enviado ontem e ainda não recebi o código de rastreamento.',
  'Boa tarde, vocês têm esse produto no tamanho M? Se sim, qual o prazo de entrega para São Paulo capital?',
  'Oi! Recebi a encomenda mas veio com defeito na embalagem, como faço para solicitar a troca?',
  'Preciso da segunda via do boleto com vencimento para sexta-feira, por favor. Meu CPF já está no cadastro.',
];

/** A WhatsApp message id that carries the benchmark's run tag and the event's index. */
export function messageId(tag: number, index: number): string {
  return `3EB0${tag.toString(16).padStart(4, '0')}${index.toString(16).padStart(12, '0')}`.toUpperCase();
}

/** The index encoded by messageId (the last 12 hex digits). */
export function indexOf(id: string): number {
  return parseInt(id.slice(-12), 16);
}

/** A realistic incoming private text message (about 450 bytes of JSON). */
export function incomingMessage(tag: number, index: number): MessageExchangeData {
  const n = index % 997;
  const phone = `55119${(87_000_000 + n * 7919).toString().padStart(8, '0')}`;
  const name = CONTACTS[n % CONTACTS.length];
  const jid = `${phone}@s.whatsapp.net`;
  return {
    message: {
      id: messageId(tag, index),
      direction: 'incoming',
      timestamp: 1_760_000_000 + index,
      chat: { jid, name, type: 'private' },
      sender: { jid, name },
      content: { text: TEXTS[index % TEXTS.length] },
    },
    source: 'whatsapp',
  };
}
