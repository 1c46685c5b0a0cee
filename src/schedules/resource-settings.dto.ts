import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';
import { DETECTION_SETS, type DetectionSet, DEVICES, type Device, HWACCELS, type Hwaccel } from '../common/domain.js';
import { IsCpuList, IsNullable, IsOptionalNotNull } from '../common/validators.js';

/**
 * Placement and caps. On the global row every field applies to all cameras; on a camera
 * override, `null` means "inherit the global value". Fields left out are unchanged.
 */
export class ResourceSettingsDto {
  @ApiPropertyOptional({ enum: DEVICES, nullable: true })
  @IsNullable() @IsIn(DEVICES, { message: `device must be one of ${DEVICES.join(', ')}` })
  device?: Device | null;

  @ApiPropertyOptional({ enum: HWACCELS, nullable: true })
  @IsNullable() @IsIn(HWACCELS, { message: `hwaccel must be one of ${HWACCELS.join(', ')}` })
  hwaccel?: Hwaccel | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 63 })
  @IsNullable() @IsInt() @Min(0) @Max(63)
  gpuIndex?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: -20, maximum: 19, description: 'nice(1) value for runners' })
  @IsNullable() @IsInt() @Min(-20) @Max(19)
  cpuNice?: number | null;

  @ApiPropertyOptional({ nullable: true, example: '0-3', description: 'CPU list for taskset' })
  @IsNullable() @IsCpuList()
  cpuAffinity?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0.1, maximum: 120, description: 'cap on fps' })
  @IsNullable() @IsNumber({ allowNaN: false, allowInfinity: false }, { message: (a) => `${a.property} must be a number of frames per second from 0.1 to 120` }) @Min(0.1) @Max(120)
  maxFps?: number | null;

  @ApiPropertyOptional({ nullable: true, enum: DETECTION_SETS, description: 'cap on detector size ("auto" = the largest)' })
  @IsNullable() @IsIn(DETECTION_SETS, { message: `detSetMax must be one of ${DETECTION_SETS.join(', ')}` })
  detSetMax?: DetectionSet | null;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull() @IsBoolean()
  isActive?: boolean;
}
