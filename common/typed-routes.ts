/**
 * Typed routes (store and HQ): a route declares TypeBox schemas for its query string, path
 * parameters and answers; `app.withTypeProvider<TypeBoxProvider>()` then types
 * `request.query` / `request.params` from them and checks what the handler returns.
 *
 * Fastify's own ajv validates requests as it always did (query strings stay strings; the
 * route's parse functions judge their content). Answers are written with JSON.stringify:
 * a response schema is a contract for the compiler and the tests, and never strips a field
 * or fails an answer at runtime (fast-json-stringify would do both).
 */
import type { FastifyInstance, FastifySchemaValidationError, FastifyTypeProvider } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { BadRequestError } from './http.js';

/** Maps a route's TypeBox schemas to the types of its request parts and its answers. */
export interface TypeBoxProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  readonly serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

/** Call once on the root instance, before any route is registered. */
export function installTypedRoutes(app: FastifyInstance): void {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setSchemaErrorFormatter(schemaError);
}

/**
 * A query string or path that fails its schema is a 400 BAD_REQUEST like the parse
 * functions' own refusals. A query value is a string unless its key was repeated (then an
 * array), so a type error there means "given twice".
 */
function schemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  const name = (first?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const message = first?.message ?? 'is invalid';
  if (dataVar === 'querystring' && name !== '') {
    return new BadRequestError(first?.keyword === 'type' ? `${name} must be given once` : `${name} ${message}`);
  }
  if (dataVar === 'params') return new BadRequestError(`${name || 'path'} ${message}`);
  // Bodies and headers: fastify's usual wording, rendered as VALIDATION by installErrorHandling.
  return new Error(`${dataVar}${first?.instancePath ?? ''} ${message}`);
}
