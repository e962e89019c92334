/** PUT /members and PUT /catalog: bulk imports for stores without HQ sync. Idempotent. */
import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { typed } from '../../../common/typed-routes.js';
import { MemberSearch, MemberSearchQuery } from '../../../protocols/http-api.js';
import {
  MemberImportList,
  ProductImportList,
  type ReferenceData,
  SEARCH_LIMIT_MAX,
} from '../../infra/reference/index.js';
import { BadRequestError } from './errors.js';
import { optionalString, parseLimit } from './query.js';

/** Imports are big by nature (100k products); other routes keep the small default. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;
const membersValidator = Compile(MemberImportList);
const catalogValidator = Compile(ProductImportList);

function describe(errors: { instancePath: string; message: string }[]): string {
  return errors
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'}: ${e.message}`)
    .join('; ');
}

export function referenceRoutes(reference: ReferenceData) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    // The invitation form's member picker (staff and up; gateway/infra/auth/roles.ts).
    const searchSchema = { querystring: MemberSearchQuery, response: { 200: MemberSearch } };
    app.get('/members/search', { schema: searchSchema }, async (request) => {
      const { query } = request;
      const q = optionalString(query.q, 'q')?.trim() ?? '';
      if (q === '' || q.length > 64) throw new BadRequestError('q must be 1 to 64 characters', 'INVALID_SEARCH');
      return { members: reference.searchMembers(q, parseLimit(query.limit, 10, SEARCH_LIMIT_MAX)) };
    });
    app.put('/members', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
      const body: unknown = request.body;
      if (!membersValidator.Check(body)) {
        throw new BadRequestError(describe(membersValidator.Errors(body)), 'INVALID_MEMBERS');
      }
      const ids = new Set<string>();
      for (const [i, m] of body.entries()) {
        if (ids.has(m.id)) throw new BadRequestError(`/${i}/id: member ${m.id} is listed twice`, 'INVALID_MEMBERS');
        ids.add(m.id);
      }
      return { imported: reference.importMembers(body), members: reference.memberCount() };
    });
    app.put('/catalog', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
      const body: unknown = request.body;
      if (!catalogValidator.Check(body)) {
        throw new BadRequestError(describe(catalogValidator.Errors(body)), 'INVALID_CATALOG');
      }
      return { imported: reference.importCatalog(body), products: reference.productCount() };
    });
  };
}
