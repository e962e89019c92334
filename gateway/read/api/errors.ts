/**
 * HTTP errors: a few named classes with stable codes, rendered as {error: {code, message}}.
 * Nothing else (no stack, no internals) reaches a client. Shared with HQ: common/http.ts.
 */
export { BadRequestError, HttpError, installErrorHandling, NotFoundError } from '../../../common/http.js';
