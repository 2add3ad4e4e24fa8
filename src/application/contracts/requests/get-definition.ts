import { isDefinitionName } from '../../../domain/definition/definition-validator.js';
import { shortEcho } from '../../../domain/shared/echo.js';
import { NotFoundError } from '../../errors.js';

/** `GET /v1/definitions/{name}[/versions/{version}]` (and `definition`) once parsed. */
export interface GetDefinitionInput {
  readonly name: string;
  /** null: the latest version. */
  readonly version: number | null;
}

/** PostgreSQL `integer`, the column type of definition versions. */
const MAX_VERSION = 2_147_483_647;

/**
 * A definition by name and optional version: a number, or its text from a path segment. A
 * version that cannot be one names nothing, so it is a 404 like a malformed run id.
 */
export function parseGetDefinition(name: string, version?: number | string): GetDefinitionInput {
  // A name no definition can have (U+0000 included, which PostgreSQL could not even compare)
  // names nothing: 404 without asking the database.
  if (!isDefinitionName(name)) throw new NotFoundError(`definition "${shortEcho(name)}" not found`);
  if (version === undefined) return { name, version: null };
  const n = typeof version === 'number' ? version : /^\d{1,10}$/.test(version) ? Number(version) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_VERSION)
    throw new NotFoundError(`definition "${name}" version ${shortEcho(String(version))} not found`);
  return { name, version: n };
}
