// Every migration, in order. Listed explicitly (not read from the folder at run time) so that the
// compiled build, the tests under tsx and the CLI all run exactly the same set.
import type { Migration } from 'kysely';
import * as tokenService from './2026-11-21-001-token-service.js';

export const migrations: Record<string, Migration> = {
  '2026-11-21-001-token-service': tokenService,
};
