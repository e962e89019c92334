/**
 * Import shapes of DESIGN ("Member import", "Catalog import"). They are wire contracts
 * shared with HQ's KV buckets, so they live in protocols/; the store's API uses the same.
 */
import { Type } from 'typebox';
import { CatalogEntry, RosterEntry } from '../../../protocols/index.js';

export const MemberImport = RosterEntry;
export const MemberImportList = Type.Array(MemberImport, { maxItems: 100_000 });
export const ProductImport = CatalogEntry;
export const ProductImportList = Type.Array(ProductImport, { maxItems: 500_000 });

export type MemberImport = RosterEntry;
export type ProductImport = CatalogEntry;
