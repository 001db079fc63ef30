import { ApiProperty, ApiSchema } from '@nestjs/swagger';

class ApiErrorDetail {
  @ApiProperty({ example: 'instance not found' }) message: string;
}

/** The one error body of the service, for every status (SPEC section 2). */
@ApiSchema({ name: 'ApiError' })
export class ApiErrorDto {
  @ApiProperty({ type: Boolean, enum: [false] }) success: false;
  @ApiProperty({ type: ApiErrorDetail }) error: ApiErrorDetail;
}
