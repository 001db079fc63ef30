import { BadRequestException, ValidationError, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

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
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException('invalid body: expected a JSON object');
    }
    const nul = metadata.type === 'body' ? findNul(value) : undefined;
    if (nul !== undefined) throw new BadRequestException(`invalid body: ${nul} contains a NUL character`);
    return super.transform(value, metadata);
  }
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

/** PostgreSQL text cannot hold U+0000: such a value is refused up front rather than failing in the database. */
function findNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNul(child, path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}
