/** What PostgreSQL text and jsonb cannot hold: U+0000 and unpaired UTF-16 surrogates. */
export const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
