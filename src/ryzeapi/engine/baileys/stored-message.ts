import { BufferJSON, type WAMessage } from '@whiskeysockets/baileys';
import { proto } from './baileys-proto.js';

/** Messages are stored as JSON (buffers as Baileys' BufferJSON) and read back as protobuf objects. */
export const serializeMessage = (message: WAMessage): string => JSON.stringify(message, BufferJSON.replacer);

export const parseMessage = (json: string) => proto.WebMessageInfo.fromObject(JSON.parse(json, BufferJSON.reviver));
