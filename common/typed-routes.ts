/**
 * Typed routes (store and HQ): a route declares TypeBox schemas for its query string, path
 * parameters and answers on `typed(app)`, which types
 * `request.query` / `request.params` from them and checks what the handler returns.
 *
 * Fastify's own ajv validates requests as it always did (query strings stay strings; the
 * route's parse functions judge their content). Answers are written with JSON.stringify:
 * a response schema is a contract for the compiler and the tests, and never strips a field
 * or fails an answer at runtime (fast-json-stringify would do both).
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaValidationError,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Static, TSchema } from 'typebox';
import { BadRequestError } from './http.js';

/** Maps a route's TypeBox schemas to the types of its request parts and its answers. */
export interface TypeBoxProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  readonly serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

/**
 * The instance a route plugin registers its typed routes on. It sets, on the instance it is
 * given (so a route never depends on how its host app was built, a bare one in a test
 * included), plain JSON.stringify for answers and the project's wording for schema errors.
 */
export function typed(
  app: FastifyInstance,
): FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxProvider
> {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setSchemaErrorFormatter(schemaError);
  return app.withTypeProvider<TypeBoxProvider>();
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
