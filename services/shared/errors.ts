/** Base error of every Gavel module: a stable `code`, a short message, optional details and cause. */
export class GavelError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Inputs do not fit a circuit's ABI (missing field, wrong type, value out of range). */
export class InvalidInputsError extends GavelError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('INVALID_INPUTS', message, options);
  }
}

/** Inputs fit the ABI but break one of the circuit's constraints (e.g. an overdraft). */
export class UnsatisfiedCircuitError extends GavelError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('UNSATISFIED_CIRCUIT', message, options);
  }
}

/** The reference string on this machine has fewer points than a circuit needs. */
export class CrsTooSmallError extends GavelError {
  constructor(message: string, details: Record<string, unknown>) {
    super('CRS_TOO_SMALL', message, { details });
  }
}

/** A backend failed while proving or verifying; `retryable` says whether trying again can help. */
export class ProvingError extends GavelError {
  readonly retryable: boolean;
  constructor(
    message: string,
    options: { cause?: unknown; retryable: boolean; details?: Record<string, unknown> },
  ) {
    super('PROVING_FAILED', message, options);
    this.retryable = options.retryable;
  }
}

/** The message of an unknown thrown value, for logs and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
