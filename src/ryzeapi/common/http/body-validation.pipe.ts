import { BadRequestException, ValidationError, ValidationPipe, type ArgumentMetadata, type Type } from '@nestjs/common';
import { UNSTORABLE } from '../../../shared/text/unstorable.js';
import { MALFORMED_JSON } from './json-body.parser.js';
import { missingOneOf } from './require-one-of.decorator.js';
import { validatedLater } from './validated-later.decorator.js';

/** Body validation with the contract's message: 400 `invalid body: <what is wrong>`. */
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => new BadRequestException(`invalid body: ${describe(errors)}`),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body' || !metadata.metatype) return value;
    if (value === MALFORMED_JSON) throw new BadRequestException('invalid body: malformed JSON');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequestException('invalid body: expected a JSON object');
    }
    const later = validatedLater(metadata.metatype);
    const checked = later.length ? Object.fromEntries(Object.entries(value).filter(([key]) => !later.includes(key))) : value;
    const problem = findUnstorable(checked);
    if (problem) throw new BadRequestException(`invalid body: ${problem}`);
    const body = await super.transform(value, metadata);
    const missing = missingOneOf(metadata.metatype, body);
    if (missing) throw new BadRequestException(`invalid body: ${missing}`);
    return body;
  }
}

const bodyValidation = new BodyValidationPipe();

/** Validates `value` as the global pipe validates a body of `metatype`: for a part of a body checked later (see ValidatedLater). */
export function validateBody<T extends object>(metatype: Type<T>, value: unknown): Promise<T> {
  return bodyValidation.transform(value, { type: 'body', metatype }) as Promise<T>;
}

/**
 * The most telling failure of each property, whatever the decorator order: a missing value, an
 * unknown property, then a wrong type, then a wrong format, then a bound ("must be a string" rather than
 * "must be shorter than 512 characters" for a number).
 */
const PRIORITY = [
  'whitelistValidation', 'isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isObject',
  'nestedValidation', 'isNotEmpty', 'isUrl', 'matches', 'isIn',
];
const rank = (constraint: string) => (PRIORITY.includes(constraint) ? PRIORITY.indexOf(constraint) : PRIORITY.length);

function describe(errors: ValidationError[], prefix = ''): string {
  return errors
    .flatMap((error) => {
      const path = prefix + error.property;
      // The value is used only to tell "missing" from "wrong"; it never goes into the message.
      if (error.value === undefined || error.value === null) {
        if (error.constraints && !error.constraints.whitelistValidation) return [`${path} is required`];
      }
      const [first] = Object.entries(error.constraints ?? {}).sort(([a], [b]) => rank(a) - rank(b));
      const own = first ? [first[1].startsWith(error.property) ? path + first[1].slice(error.property.length) : first[1]] : [];
      return error.children?.length ? [...own, describe(error.children, `${path}.`)] : own;
    })
    .join('; ');
}

const MAX_DEPTH = 16;

/** Refused up front rather than failing in the database (or the stack): unstorable text, deep nesting. */
function findUnstorable(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? `${path} contains a NUL character or an unpaired surrogate` : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return `${path} is nested too deeply`;
  for (const [key, child] of Object.entries(value)) {
    const found = findUnstorable(child, path ? `${path}.${key}` : key, depth + 1);
    if (found) return found;
  }
  return undefined;
}
