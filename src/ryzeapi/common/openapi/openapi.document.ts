import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { INSTANCE_NAME_SCHEMA } from '../../instances/instance-name.js';
import { REQUIRE_ONE_OF, type RequireOneOfRule } from '../http/require-one-of.decorator.js';
import { ApiErrorDto } from './api-error.dto.js';
import { ERROR_MEANING } from './api-errors.decorator.js';

// @nestjs/swagger does not export its SchemaObject type.
type SchemaObject = Record<string, any>;

/** class-validator rules as JSON Schema constraints; the rules themselves stay the single source. */
const CONSTRAINTS: Record<string, (schema: SchemaObject, constraints: any[]) => void> = {
  isInt: (s) => void (s.type = 'integer'),
  min: (s, [n]) => void (s.minimum = n),
  max: (s, [n]) => void (s.maximum = n),
  minLength: (s, [n]) => void (s.minLength = n),
  maxLength: (s, [n]) => void (s.maxLength = n),
  isNotEmpty: (s) => void (s.type === 'string' && (s.minLength = Math.max(s.minLength ?? 0, 1))),
  matches: (s, [pattern]) => void (s.pattern = pattern instanceof RegExp ? pattern.source : String(pattern)),
  isWhatsAppNumber: (s, [pattern]) => void (s.pattern = (pattern as RegExp).source),
  isUrl: (s, [options]) => {
    s.format = 'uri';
    if (options?.protocols) s.pattern = `^(${options.protocols.join('|')})://`;
  },
  isIn: (s, [values]) => void (s.enum = values),
};

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per window', required: true, schema: { type: 'integer', minimum: 1 } },
  'X-RateLimit-Remaining': { description: 'Requests left in this window', required: true, schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Reset': { description: 'End of the window, Unix seconds', required: true, schema: { type: 'integer' } },
};
const RETRY_AFTER = { description: 'Seconds until the window ends', required: true, schema: { type: 'integer', minimum: 1 } };

/**
 * The OpenAPI document, generated from the controllers and DTOs, completed with what applies to
 * every route (rate limits, body parsing) and with the DTOs' validation rules.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('RyzeAPI — Chatwoot module')
      .setDescription('Accounts, instances, the sandbox WhatsApp engine and the Chatwoot integration (bridge edition).')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'token' }, 'token')
      .build(),
    { extraModels: [ApiErrorDto] },
  );
  describeValidation(document);
  describeCommonResponses(document);
  return document;
}

function describeValidation(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const [target, rules] of validatedClasses()) {
    const schema = schemas[target.name] as SchemaObject | undefined;
    if (!schema) continue;
    // BodyValidationPipe refuses properties a DTO does not declare.
    schema.additionalProperties = false;
    for (const rule of rules) {
      const property = schema.properties?.[rule.propertyName] as SchemaObject | undefined;
      if (property && rule.name) CONSTRAINTS[rule.name]?.(property, rule.constraints ?? []);
    }
    const oneOf = Reflect.getMetadata(REQUIRE_ONE_OF, target) as RequireOneOfRule | undefined;
    if (oneOf) schema.anyOf = oneOf.properties.map((name) => ({ required: [name] }));
  }
}

/** Every class with class-validator rules, with its rules (the storage keeps them per class). */
function validatedClasses(): Map<Function, ValidationMetadata[]> {
  const stored = (getMetadataStorage() as unknown as { validationMetadatas?: unknown }).validationMetadatas;
  if (!(stored instanceof Map)) throw new Error('class-validator no longer exposes its rules per class: update createOpenApiDocument');
  return stored as Map<Function, ValidationMetadata[]>;
}

/** Rate limits and their headers on every answer; body and path errors; instance names. */
function describeCommonResponses(document: OpenAPIObject): void {
  const error = (status: number) => ({ description: ERROR_MEANING[status]!, content: { 'application/json': { schema: { $ref: getSchemaPath(ApiErrorDto) } } } });
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      operation.responses[429] ??= error(429);
      if (operation.requestBody) operation.responses[413] ??= error(413);
      // Express answers 400 to a path parameter that is not valid %-encoding.
      if (operation.requestBody || operation.parameters?.some((p) => 'in' in p && p.in === 'path')) operation.responses[400] ??= error(400);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { ...RATE_LIMIT_HEADERS, ...(status === '429' && { 'Retry-After': RETRY_AFTER }), ...response.headers };
      }
      for (const parameter of operation.parameters ?? []) {
        if ('name' in parameter && parameter.in === 'path' && parameter.name === 'instance') parameter.schema = INSTANCE_NAME_SCHEMA;
      }
    }
  }
}
