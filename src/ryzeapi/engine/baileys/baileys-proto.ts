import baileys from '@whiskeysockets/baileys';

/**
 * Baileys' protobuf classes. Node cannot see `proto` as a named export of Baileys' CommonJS build
 * (its other exports are seen), so it is taken from the default export.
 */
export const { proto } = baileys;
