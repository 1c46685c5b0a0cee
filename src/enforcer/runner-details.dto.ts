import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../common/pagination.js';
import { RUNNER_STATUSES, type RunnerStatus } from '../common/domain.js';

export const DEFAULT_LOG_LINES = 50;
export const MAX_LOG_LINES = 500;

export class RunnerLogQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LOG_LINES, default: DEFAULT_LOG_LINES, description: 'how many of the last lines to return' })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'lines must be a whole number' })
  @Min(1, { message: 'lines must be at least 1' })
  @Max(MAX_LOG_LINES, { message: `lines must be at most ${MAX_LOG_LINES}` })
  lines: number = DEFAULT_LOG_LINES;
}

/** What one runner process costs now, read from /proc on this host. */
export class RunnerProcessFigures {
  @ApiProperty() pid: number;
  @ApiProperty({ nullable: true, type: Number, description: 'resident memory (VmRSS), bytes' }) rssBytes: number | null;
  @ApiProperty({
    nullable: true, type: Number,
    description: 'percent of one core (200 = two cores busy) since the previous read of this process through this app, at least 1 s before; null on the first read',
  })
  cpuPercent: number | null;
  @ApiProperty() threads: number;
  @ApiProperty({
    nullable: true, type: Number,
    description: 'live descendants of the runner (ffmpeg, a wrapper\'s children and theirs), the runner itself not counted; null on a kernel without /proc/<pid>/task/<tid>/children',
  })
  childProcesses: number | null;
  @ApiProperty({ description: 'seconds since the process started (its start time in /proc/<pid>/stat against the time since boot)' }) uptimeSeconds: number;
}

export class RunnerProcessView {
  @ApiProperty() runnerId: number;
  @ApiProperty() cameraId: number;
  @ApiProperty() profileId: number;
  @ApiProperty() node: string;
  @ApiProperty({ nullable: true, type: Number }) pid: number | null;
  @ApiProperty({ enum: RUNNER_STATUSES }) status: RunnerStatus;
  @ApiProperty({ nullable: true, type: RunnerProcessFigures, description: 'null when the runner runs on another node, has no process, or its process is gone' })
  process: RunnerProcessFigures | null;
  @ApiProperty({ nullable: true, type: String, description: 'why process is null' }) reason: string | null;
}

export class RunnerLogView {
  @ApiProperty() runnerId: number;
  @ApiProperty() cameraId: number;
  @ApiProperty() profileId: number;
  @ApiProperty() node: string;
  @ApiProperty({ nullable: true, type: String, description: 'when the enforcer started the current run (its start line in the log); null when that line is not within the end of the log read' })
  runStartedAt: string | null;
  @ApiProperty({ type: [String], description: 'the last lines since the current run started, oldest first, credentials and secrets masked' }) lines: string[];
  @ApiProperty({ description: 'earlier lines of this run exist that are not returned' }) truncated: boolean;
}
