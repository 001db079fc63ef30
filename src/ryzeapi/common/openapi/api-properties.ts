import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/** `"success": true` of the service's answers. */
export const ApiSuccess = () => ApiProperty({ type: Boolean, enum: [true] });

/** A property holding the class's schema or null (OpenAPI 3.0: nullable does not apply to a $ref). */
export const ApiNullableRef = (type: Function) =>
  ApiProperty({ oneOf: [{ $ref: getSchemaPath(type) }, { type: 'object', nullable: true, enum: [null] }] });
