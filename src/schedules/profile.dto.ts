import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { DETECTION_SETS, type DetectionSet, PROFILE_TRANSPORTS, type ProfileTransport } from '../common/domain.js';
import { HasNoControlChars, IsExtraArgs, IsOptionalNotNull, Trim } from '../common/validators.js';
import type { ExtraArgs } from './stream-profile.entity.js';

export class CreateProfileDto {
  @ApiProperty({ maxLength: 100, example: 'day-640' })
  @Trim() @IsString() @IsNotEmpty({ message: 'name must not be empty' }) @MaxLength(100) @HasNoControlChars()
  name: string;

  @ApiPropertyOptional({ minimum: 0.1, maximum: 120, default: 6 })
  @IsOptionalNotNull() @IsNumber({ allowNaN: false, allowInfinity: false }, { message: (a) => `${a.property} must be a number of frames per second from 0.1 to 120` }) @Min(0.1) @Max(120)
  fps?: number;

  @ApiPropertyOptional({ enum: DETECTION_SETS, default: 'auto' })
  @IsOptionalNotNull() @IsIn(DETECTION_SETS, { message: `detectionSet must be one of ${DETECTION_SETS.join(', ')}` })
  detectionSet?: DetectionSet;

  @ApiPropertyOptional({ enum: PROFILE_TRANSPORTS, default: '', description: '"" inherits the camera’s transport' })
  @IsOptionalNotNull() @IsIn(PROFILE_TRANSPORTS, { message: 'rtspTransport must be one of "" (inherit), auto, tcp, udp' })
  rtspTransport?: ProfileTransport;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600, default: 10 })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(3600)
  hbInterval?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, default: 3 })
  @IsOptionalNotNull() @IsInt() @Min(0) @Max(10000)
  snapshotEvery?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, default: {}, example: { '--min_face_px': 40 } })
  @IsOptionalNotNull() @IsExtraArgs()
  extraArgs?: ExtraArgs;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull() @IsBoolean()
  isActive?: boolean;
}

export class UpdateProfileDto extends PartialType(CreateProfileDto, { skipNullProperties: false }) {}
