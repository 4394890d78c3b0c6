import { EntityManager } from 'typeorm';

import { DatabaseConfig } from '../config/database-url';

export type DatabaseEngine = DatabaseConfig['engine'];

/** Which engine a manager talks to, for the few statements each engine writes its own way. */
export function engineOf(manager: EntityManager): DatabaseEngine {
  return manager.connection.options.type as DatabaseEngine;
}
