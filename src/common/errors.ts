import { ConflictException, NotFoundException } from '@nestjs/common';
import { type FieldError, validationFailed } from './validation.js';

export const notFound = (what: string, id: number | string) => new NotFoundException(`${what} ${id} not found`);
export const conflict = (message: string) => new ConflictException(message);
export const badField = (field: string, message: string) => validationFailed([{ field, messages: [`${field} ${message}`] }]);
export const badFields = (errors: FieldError[]) => validationFailed(errors);
