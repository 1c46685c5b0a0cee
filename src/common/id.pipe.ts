import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** Path ids: positive integers within the database's integer range; anything else is a 400 that says so. */
export class IdPipe implements PipeTransform<string, number> {
  constructor(private readonly name = 'id') {}

  transform(value: string): number {
    // Decimal digits only, no leading zero: one spelling per id.
    if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
      throw new BadRequestException(`${this.name} must be a positive whole number (got "${String(value).slice(0, 40)}")`);
    }
    return Number(value);
  }
}
