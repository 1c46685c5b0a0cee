import { Injectable } from '@nestjs/common';
import { CamerasRepository } from '../cameras/cameras.repository.js';
import { badField, badFields, conflict, notFound } from '../common/errors.js';
import { page, type PageQuery } from '../common/pagination.js';
import type { FieldError } from '../common/validation.js';
import { normalizeWallTime } from '../common/validators.js';
import {
  MAX_EXCEPTIONS,
  MAX_WINDOWS,
  type CreatePolicyDto, type ExceptionDto, type UpdateExceptionDto, type UpdatePolicyDto, type UpdateWindowDto, type WindowDto,
} from './policy.dto.js';
import { type ExceptionValues, PoliciesRepository, type PolicyChanges, type WindowValues } from './policies.repository.js';
import { ProfilesRepository } from './profiles.repository.js';
import { duplicateDates, exceptionProblems, normalizeException, windowOverlaps, windowOverlapsWith } from './schedule.rules.js';
import { toExceptionView, toPolicyView, toWindowView } from './schedule.views.js';

const normalizeWindow = (w: WindowDto): WindowValues => ({
  dayOfWeek: w.dayOfWeek,
  startTime: normalizeWallTime(w.startTime),
  endTime: normalizeWallTime(w.endTime),
  profileId: w.profileId,
});

/**
 * Policies with their windows, exceptions and cameras. Every write checks all references
 * first and then writes in one transaction, so a bad request changes nothing.
 */
/** The first ids of a list, and how many more: a message stays short however many were sent. */
function listSome(ids: number[], shown = 20): string {
  return ids.length <= shown ? ids.join(', ') : `${ids.slice(0, shown).join(', ')} and ${ids.length - shown} more`;
}

@Injectable()
export class PoliciesService {
  constructor(
    private readonly policies: PoliciesRepository,
    private readonly profiles: ProfilesRepository,
    private readonly cameras: CamerasRepository,
  ) {}

  async list(query: PageQuery) {
    const [rows, total] = await this.policies.findPage(query.limit, query.offset);
    return page((await this.policies.loadTrees(rows)).map(toPolicyView), total, query);
  }

  async get(id: number) {
    const tree = await this.policies.findTree(id);
    if (!tree) throw notFound('policy', id);
    return toPolicyView(tree);
  }

  async create(dto: CreatePolicyDto) {
    if (await this.policies.nameTaken(dto.name)) throw conflict(`A policy named "${dto.name}" already exists`);
    const changes = await this.checkedChanges(dto);
    const id = await this.policies.createTree({ ...changes, cameraIds: changes.cameraIds ?? [], windows: changes.windows ?? [], exceptions: changes.exceptions ?? [] });
    return this.get(id);
  }

  async update(id: number, dto: UpdatePolicyDto) {
    const current = await this.policies.findById(id);
    if (!current) throw notFound('policy', id);
    if (dto.name !== undefined && dto.name !== current.name && (await this.policies.nameTaken(dto.name, id))) {
      throw conflict(`A policy named "${dto.name}" already exists`);
    }
    await this.policies.updateTree(id, await this.checkedChanges(dto));
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    if (!(await this.policies.delete(id))) throw notFound('policy', id);
  }

  private async checkedChanges(dto: UpdatePolicyDto): Promise<PolicyChanges> {
    const problems: FieldError[] = [];
    if (dto.cameraIds) {
      const missing = await this.cameras.missingIds(dto.cameraIds);
      if (missing.length) problems.push(field('cameraIds', `refers to cameras that do not exist: ${listSome(missing)}`));
    }
    if (dto.windows) problems.push(...windowOverlaps(dto.windows));
    dto.exceptions?.forEach((e, i) => problems.push(...exceptionProblems(e, `exceptions[${i}]`)));
    const dates = duplicateDates(dto.exceptions ?? []);
    if (dates.length) problems.push(field('exceptions', `has more than one exception on ${dates.join(', ')} (one per date)`));
    problems.push(
      ...(await this.missingProfiles([
        ...(dto.windows ?? []).map((w, i) => ({ field: `windows[${i}].profileId`, id: w.profileId })),
        ...(dto.exceptions ?? []).map((e, i) => ({ field: `exceptions[${i}].profileId`, id: e.profileId })),
      ])),
    );
    if (problems.length) throw badFields(problems);
    const values: PolicyChanges['values'] = {};
    if (dto.name !== undefined) values.name = dto.name;
    if (dto.isEnabled !== undefined) values.isEnabled = dto.isEnabled;
    if (dto.notes !== undefined) values.notes = dto.notes;
    return {
      values,
      cameraIds: dto.cameraIds,
      windows: dto.windows?.map(normalizeWindow),
      exceptions: dto.exceptions?.map(normalizeException),
    };
  }

  private async missingProfiles(refs: { field: string; id: number | null | undefined }[]): Promise<FieldError[]> {
    const wanted = refs.filter((r): r is { field: string; id: number } => typeof r.id === 'number');
    const missing = new Set(await this.profiles.missingIds(wanted.map((r) => r.id)));
    return wanted.filter((r) => missing.has(r.id)).map((r) => field(r.field, `refers to profile ${r.id}, which does not exist`));
  }

  private async requirePolicy(id: number) {
    if (!(await this.policies.findById(id))) throw notFound('policy', id);
  }

  // Cameras

  async addCameras(policyId: number, cameraIds: number[]) {
    await this.requirePolicy(policyId);
    const missing = await this.cameras.missingIds(cameraIds);
    if (missing.length) throw badFields([field('cameraIds', `refers to cameras that do not exist: ${listSome(missing)}`)]);
    await this.policies.addCameras(policyId, cameraIds);
    return this.get(policyId);
  }

  async removeCamera(policyId: number, cameraId: number): Promise<void> {
    await this.requirePolicy(policyId);
    if (!(await this.policies.removeCamera(policyId, cameraId))) throw notFound(`camera ${cameraId} in policy`, policyId);
  }

  // Windows

  async listWindows(policyId: number) {
    return (await this.requireTree(policyId)).windows.map(toWindowView);
  }

  async addWindow(policyId: number, dto: WindowDto) {
    await this.requirePolicy(policyId);
    if ((await this.policies.countWindows(policyId)) >= MAX_WINDOWS) throw badField('windows', `of policy ${policyId} are at the maximum of ${MAX_WINDOWS}: remove one first`);
    await this.ensureWindowFits(policyId, dto, undefined);
    return toWindowView(await this.policies.insertWindow(policyId, normalizeWindow(dto)));
  }

  async updateWindow(policyId: number, windowId: number, dto: UpdateWindowDto) {
    await this.requirePolicy(policyId);
    const current = await this.policies.findWindow(policyId, windowId);
    if (!current) throw notFound(`window ${windowId} in policy`, policyId);
    const merged = normalizeWindow({ ...current, ...dto } as WindowDto);
    await this.ensureWindowFits(policyId, { ...merged, profileId: dto.profileId }, windowId);
    await this.policies.updateWindow(windowId, merged);
    return toWindowView((await this.policies.findWindow(policyId, windowId))!);
  }

  /**
   * A window sent on its own: its profile exists and it overlaps none of the policy's other
   * windows (errors on "(body)": the body is the window). Stored windows are not checked among
   * themselves — rows written before the rule may overlap, and the enforcer still reads them as a union.
   */
  private async ensureWindowFits(policyId: number, window: { dayOfWeek: number; startTime: string; endTime: string; profileId?: number }, windowId: number | undefined) {
    const others = (await this.policies.listWindows(policyId)).filter((w) => w.id !== windowId);
    const problems = [
      ...(await this.missingProfiles([{ field: 'profileId', id: window.profileId }])),
      ...windowOverlapsWith(window, others, '(body)'),
    ];
    if (problems.length) throw badFields(problems);
  }

  async removeWindow(policyId: number, windowId: number): Promise<void> {
    await this.requirePolicy(policyId);
    if (!(await this.policies.deleteWindow(policyId, windowId))) throw notFound(`window ${windowId} in policy`, policyId);
  }

  // Exceptions

  async listExceptions(policyId: number) {
    return (await this.requireTree(policyId)).exceptions.map(toExceptionView);
  }

  async addException(policyId: number, dto: ExceptionDto) {
    await this.requirePolicy(policyId);
    if ((await this.policies.countExceptions(policyId)) >= MAX_EXCEPTIONS) throw badField('exceptions', `of policy ${policyId} are at the maximum of ${MAX_EXCEPTIONS}: remove one first`);
    const values = await this.checkedException(dto);
    if (await this.policies.findExceptionOnDate(policyId, values.date)) {
      throw conflict(`Policy ${policyId} already has an exception on ${values.date}; change that one instead`);
    }
    return toExceptionView(await this.policies.insertException(policyId, values));
  }

  async updateException(policyId: number, exceptionId: number, dto: UpdateExceptionDto) {
    await this.requirePolicy(policyId);
    const current = await this.policies.findException(policyId, exceptionId);
    if (!current) throw notFound(`exception ${exceptionId} in policy`, policyId);
    // Switching to "off" or "on" drops the fields that no longer apply unless the client sent them.
    const merged: ExceptionDto = {
      date: dto.date ?? current.date,
      mode: dto.mode ?? current.mode,
      startTime: dto.startTime !== undefined ? dto.startTime : dto.mode && dto.mode !== 'window' ? null : current.startTime,
      endTime: dto.endTime !== undefined ? dto.endTime : dto.mode && dto.mode !== 'window' ? null : current.endTime,
      profileId: dto.profileId !== undefined ? dto.profileId : dto.mode === 'off' ? null : current.profileId,
    };
    const values = await this.checkedException(merged);
    const clash = await this.policies.findExceptionOnDate(policyId, values.date);
    if (clash && clash.id !== exceptionId) throw conflict(`Policy ${policyId} already has an exception on ${values.date}`);
    await this.policies.updateException(exceptionId, values);
    return toExceptionView((await this.policies.findException(policyId, exceptionId))!);
  }

  async removeException(policyId: number, exceptionId: number): Promise<void> {
    await this.requirePolicy(policyId);
    if (!(await this.policies.deleteException(policyId, exceptionId))) {
      throw notFound(`exception ${exceptionId} in policy`, policyId);
    }
  }

  private async checkedException(dto: ExceptionDto): Promise<ExceptionValues> {
    const problems = exceptionProblems(dto);
    if (problems.length) throw badFields(problems);
    await this.ensureProfiles([{ field: 'profileId', id: dto.profileId }]);
    return normalizeException(dto);
  }

  private async ensureProfiles(refs: { field: string; id: number | null | undefined }[]) {
    const problems = await this.missingProfiles(refs);
    if (problems.length) throw badFields(problems);
  }

  private async requireTree(policyId: number) {
    const tree = await this.policies.findTree(policyId);
    if (!tree) throw notFound('policy', policyId);
    return tree;
  }
}

function field(name: string, message: string): FieldError {
  return { field: name, messages: [`${name} ${message}`] };
}
