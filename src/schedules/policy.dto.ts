import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { EXCEPTION_MODES, type ExceptionMode } from '../common/domain.js';
import { MAX_INT32 } from '../common/pagination.js';

/** The most windows and exceptions one policy may hold, however they arrive (whole policy or one at a time). */
export const MAX_WINDOWS = 1000;
export const MAX_EXCEPTIONS = 1000;
import {
  HasNoControlChars, IsCalendarDate, IsNullable, IsOptionalNotNull, IsWallTime, Trim,
} from '../common/validators.js';

export class WindowDto {
  @ApiProperty({ minimum: 0, maximum: 6, description: '0 = Monday … 6 = Sunday' })
  @IsInt({ message: 'dayOfWeek must be a whole number from 0 (Monday) to 6 (Sunday)' })
  @Min(0, { message: 'dayOfWeek must be from 0 (Monday) to 6 (Sunday)' })
  @Max(6, { message: 'dayOfWeek must be from 0 (Monday) to 6 (Sunday)' })
  dayOfWeek: number;

  @ApiProperty({ example: '08:00', description: 'Local wall time. start = end: the whole day; start > end: runs past midnight into the next day. Must not overlap the policy\'s other windows.' })
  @IsWallTime()
  startTime: string;

  @ApiProperty({ example: '16:30' })
  @IsWallTime()
  endTime: string;

  @ApiProperty()
  @IsInt({ message: 'profileId must be the id of a stream profile' }) @Min(1) @Max(MAX_INT32)
  profileId: number;
}

export class UpdateWindowDto extends PartialType(WindowDto, { skipNullProperties: false }) {}

export class ExceptionDto {
  @ApiProperty({ example: '2026-12-25', description: 'Local calendar date; one exception per policy and date.' })
  @IsCalendarDate()
  date: string;

  @ApiProperty({ enum: EXCEPTION_MODES, description: 'off: nothing all day; on: all day with profileId; window: [startTime, endTime) with profileId' })
  @IsIn(EXCEPTION_MODES, { message: `mode must be one of ${EXCEPTION_MODES.join(', ')}` })
  mode: ExceptionMode;

  @ApiPropertyOptional({ nullable: true, example: '10:00' })
  @IsNullable() @IsWallTime()
  startTime?: string | null;

  @ApiPropertyOptional({ nullable: true, example: '14:00' })
  @IsNullable() @IsWallTime()
  endTime?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsNullable() @IsInt({ message: 'profileId must be the id of a stream profile' }) @Min(1) @Max(MAX_INT32)
  profileId?: number | null;
}

export class UpdateExceptionDto extends PartialType(ExceptionDto, { skipNullProperties: false }) {}

export class CreatePolicyDto {
  @ApiProperty({ maxLength: 100, example: 'School days' })
  @Trim() @IsString() @IsNotEmpty({ message: 'name must not be empty' }) @MaxLength(100) @HasNoControlChars()
  name: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull() @IsBoolean()
  isEnabled?: boolean;

  @ApiPropertyOptional({ maxLength: 2000, default: '' })
  @IsOptionalNotNull() @IsString() @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ type: [Number], description: 'Cameras this policy schedules (replaces the set on update).' })
  @IsOptionalNotNull() @IsArray() @ArrayMaxSize(10000) @IsInt({ each: true, message: 'cameraIds must contain camera ids (whole numbers)' }) @Min(1, { each: true }) @Max(MAX_INT32, { each: true, message: 'cameraIds must contain camera ids from 1 to 2147483647' })
  cameraIds?: number[];

  @ApiPropertyOptional({ type: [WindowDto], description: 'Weekly windows (replaces the set on update). Windows of one policy may not overlap on a local day (overnight tails included, touching is fine): 400 "Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00".' })
  @IsOptionalNotNull() @IsArray() @ArrayMaxSize(MAX_WINDOWS) @ValidateNested({ each: true }) @Type(() => WindowDto)
  windows?: WindowDto[];

  @ApiPropertyOptional({ type: [ExceptionDto], description: 'Date exceptions (replaces the set on update).' })
  @IsOptionalNotNull() @IsArray() @ArrayMaxSize(MAX_EXCEPTIONS) @ValidateNested({ each: true }) @Type(() => ExceptionDto)
  exceptions?: ExceptionDto[];
}

export class UpdatePolicyDto extends PartialType(CreatePolicyDto, { skipNullProperties: false }) {}

export class PolicyCamerasDto {
  @ApiProperty({ type: [Number] })
  @IsArray() @ArrayMaxSize(10000) @IsInt({ each: true, message: 'cameraIds must contain camera ids (whole numbers)' }) @Min(1, { each: true }) @Max(MAX_INT32, { each: true, message: 'cameraIds must contain camera ids from 1 to 2147483647' })
  cameraIds: number[];
}
