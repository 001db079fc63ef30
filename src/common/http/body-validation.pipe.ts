import { BadRequestException, ValidationError, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

/** Body validation with the contract's message: 400 `invalid body: <what is wrong>`. */
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      stopAtFirstError: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(`invalid body: ${describe(errors)}`),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException('invalid body: expected a JSON object');
    }
    return super.transform(value, metadata);
  }
}

function describe(errors: ValidationError[], prefix = ''): string {
  return errors
    .flatMap((error) => {
      const path = prefix + error.property;
      const own = Object.values(error.constraints ?? {}).map((m) =>
        m.startsWith(error.property) ? path + m.slice(error.property.length) : m,
      );
      return error.children?.length ? [...own, describe(error.children, `${path}.`)] : own;
    })
    .join('; ');
}
