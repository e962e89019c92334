/** HQ failures: a few named classes with stable codes, rendered by the API as {error: {code, message}}. */

export class HqError extends Error {
  override readonly name: string = 'HqError';
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class HqConfigError extends HqError {
  override readonly name = 'HqConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super('HQ_CONFIG', message, options);
  }
}

/** A CSV file that cannot be imported: every problem with its line. */
export class CsvImportError extends HqError {
  override readonly name = 'CsvImportError';
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super('CSV_INVALID', `${problems.length} problem(s): ${problems.slice(0, 20).join('; ')}`, options);
  }
}

export class HqStoreError extends HqError {
  override readonly name = 'HqStoreError';
  constructor(message: string, options?: ErrorOptions) {
    super('HQ_STORE', message, options);
  }
}

/** HTTP errors (rendered as {error: {code, message}}) are the store's: common/http.ts. */
export { BadRequestError, HttpError, NotFoundError } from '../common/http.js';
