/** Instance names: 1 to 64 of A-Z a-z 0-9 _ -, unique across the service (SPEC section 2). */
export const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const isInstanceName = (value: string) => INSTANCE_NAME.test(value);
