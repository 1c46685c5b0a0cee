/** The wall clock behind a class, so tests can fix "now". */
export class Clock {
  now(): Date {
    return new Date();
  }
}
