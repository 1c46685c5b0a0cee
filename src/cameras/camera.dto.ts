import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsBoolean, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsString, Matches, Max, MaxLength, Min,
} from 'class-validator';
import { CAMERA_TRANSPORTS, type CameraTransport, DETECTION_SETS, type DetectionSet } from '../common/domain.js';
import { HasNoControlChars, IsNullable, IsOptionalNotNull, Trim } from '../common/validators.js';

export class CreateCameraDto {
  @ApiProperty({ maxLength: 100, example: 'Gate 1' })
  @Trim() @IsString() @IsNotEmpty({ message: 'name must not be empty' }) @MaxLength(100) @HasNoControlChars()
  name: string;

  @ApiProperty({ maxLength: 2048, example: 'rtsp://viewer:secret@10.0.0.21:554/stream1', description: 'Any ffmpeg input (rtsp://, http://, a file path). Credentials are masked in every response; a password sent as *** keeps the stored one when the user name is unchanged (refused otherwise and on create). A /, # or ? in a password must be percent-encoded (%2F, %23, %3F).' })
  @Trim() @IsString() @IsNotEmpty({ message: 'rtspUrl must not be empty' }) @MaxLength(2048) @HasNoControlChars()
  rtspUrl: string;

  @ApiPropertyOptional({ maxLength: 200, default: '' })
  @IsOptionalNotNull() @Trim() @IsString() @MaxLength(200) @HasNoControlChars()
  location?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull() @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ enum: CAMERA_TRANSPORTS, default: 'auto' })
  @IsOptionalNotNull() @IsIn(CAMERA_TRANSPORTS, { message: `rtspTransport must be one of ${CAMERA_TRANSPORTS.join(', ')}` })
  rtspTransport?: CameraTransport;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600, default: 10, description: 'Heartbeat interval in seconds (used when preferCameraOverProfile).' })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(3600)
  hbInterval?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, default: 3, description: 'Snapshot every N heartbeats; 0 = never.' })
  @IsOptionalNotNull() @IsInt() @Min(0) @Max(10000)
  snapshotEvery?: number;

  @ApiPropertyOptional({ default: false, description: 'Camera knobs win over the profile’s.' })
  @IsOptionalNotNull() @IsBoolean()
  preferCameraOverProfile?: boolean;

  @ApiPropertyOptional({ nullable: true, minimum: 0.1, maximum: 120 })
  @IsNullable() @IsNumber({ allowNaN: false, allowInfinity: false }, { message: (a) => `${a.property} must be a number of frames per second from 0.1 to 120` }) @Min(0.1) @Max(120)
  targetFpsReq?: number | null;

  @ApiPropertyOptional({ nullable: true, enum: DETECTION_SETS })
  @IsNullable() @IsIn(DETECTION_SETS, { message: `detSetReq must be one of ${DETECTION_SETS.join(', ')}` })
  detSetReq?: DetectionSet | null;

  @ApiPropertyOptional({ nullable: true, maxLength: 63, description: 'Pin to this host (NODE_NAME); null = any live node.' })
  @IsNullable() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: 'node must be a host name of 1-63 letters, digits, dots, dashes or underscores' })
  node?: string | null;
}

export class UpdateCameraDto extends PartialType(CreateCameraDto, { skipNullProperties: false }) {}

/** `{minutes}` from now, or `{until}` an ISO-8601 instant in the future; exactly one. */
export class PauseCameraDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 525600 })
  @IsOptionalNotNull() @IsInt() @Min(1) @Max(525600)
  minutes?: number;

  @ApiPropertyOptional({ example: '2026-12-01T08:00:00+03:00' })
  @IsOptionalNotNull() @IsString() @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time such as 2026-12-01T08:00:00+03:00' })
  until?: string;
}

export class CameraView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Credentials masked as user:***@' }) rtspUrl: string;
  @ApiProperty() location: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ nullable: true, type: String }) pauseUntil: string | null;
  @ApiProperty({ description: 'pauseUntil is in the future' }) paused: boolean;
  @ApiProperty({ enum: CAMERA_TRANSPORTS }) rtspTransport: CameraTransport;
  @ApiProperty() hbInterval: number;
  @ApiProperty() snapshotEvery: number;
  @ApiProperty() preferCameraOverProfile: boolean;
  @ApiProperty({ nullable: true, type: Number }) targetFpsReq: number | null;
  @ApiProperty({ nullable: true, enum: DETECTION_SETS }) detSetReq: DetectionSet | null;
  @ApiProperty({ nullable: true, type: String }) node: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
