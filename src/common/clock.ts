import { Injectable } from '@nestjs/common';
/** The wall clock behind a class, so tests can fix "now". */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
