import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Constraints that say "wrong type or value set": when one fails, the others add nothing. */
const TYPE_CONSTRAINTS = new Set([
  'isString', 'isInt', 'isNumber', 'isBoolean', 'isIn', 'isArray', 'isWallTime', 'isCalendarDate', 'isExtraArgs',
  'isCpuList', 'isIso8601', 'nestedValidation', 'whitelistValidation',
]);

/**
 * Flattens class-validator's tree into `windows[0].startTime ...` field errors, one clear
 * message per field: "is required" when missing, only the type message when the type is wrong.
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    if (error.constraints) {
      const entries = Object.entries(error.constraints);
      const typeOnly = entries.filter(([key]) => TYPE_CONSTRAINTS.has(key));
      const chosen = error.value === undefined && !('whitelistValidation' in error.constraints)
        ? [['required', `${error.property} is required`]]
        : typeOnly.length > 0 ? typeOnly.slice(0, 1) : entries;
      const messages = chosen.map(([, message]) =>
        message.startsWith(error.property) ? `${field}${message.slice(error.property.length)}` : message,
      );
      out.push({ field, messages });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function validationFailed(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: errors.flatMap((e) => e.messages).join('; '),
    errors,
  });
}

/**
 * Strict input: a body must be a JSON object, unknown fields are rejected (not silently
 * dropped), types are not coerced in bodies, and every problem is reported with its field path.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    // Path parameters are checked by their own pipe (IdPipe) on the text as sent: converted
    // here first, "0x1", "1e0" or "01" would have become 1.
    if (metadata.type === 'param') return value;
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw validationFailed([{ field: '(body)', messages: ['Body must be a JSON object'] }]);
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
