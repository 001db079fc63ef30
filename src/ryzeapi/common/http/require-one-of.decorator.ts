export const REQUIRE_ONE_OF = 'ryze:require-one-of';

export interface RequireOneOfRule {
  properties: string[];
}

/**
 * A body must hold at least one of the properties (non-empty). Checked by BodyValidationPipe
 * (`invalid body: a or b is required`) and documented as `anyOf` in the OpenAPI document.
 */
export const RequireOneOf = (...properties: string[]): ClassDecorator => (target) =>
  Reflect.defineMetadata(REQUIRE_ONE_OF, { properties } satisfies RequireOneOfRule, target);

/** The pipe's message when none of the properties is present, or undefined. */
export function missingOneOf(target: Function, body: Record<string, unknown>): string | undefined {
  const rule = Reflect.getMetadata(REQUIRE_ONE_OF, target) as RequireOneOfRule | undefined;
  if (!rule || rule.properties.some((name) => body[name] !== undefined && body[name] !== null && body[name] !== '')) return undefined;
  return `${rule.properties.join(' or ')} is required`;
}
