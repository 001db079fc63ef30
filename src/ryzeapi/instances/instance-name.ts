/** Instance names: 1 to 64 of A-Z a-z 0-9 _ -, unique across the service (SPEC section 2). */
const MAX_LENGTH = 64;
export const INSTANCE_NAME = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_LENGTH}}$`);

export const isInstanceName = (value: string) => INSTANCE_NAME.test(value);

/** The rule as an OpenAPI schema, for the `name` property and the `{instance}` path parameter. */
export const INSTANCE_NAME_SCHEMA = { type: 'string', pattern: INSTANCE_NAME.source, minLength: 1, maxLength: MAX_LENGTH } as const;
