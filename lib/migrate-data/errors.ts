/** A reason to stop that the user can act on: printed as it is, without a stack. */
export class MigrateDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrateDataError";
  }
}
