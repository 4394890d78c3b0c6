/**
 * The transaction boundary of one API call. Services wrap each call in `run`, repositories
 * do their SQL inside it; everything commits when `work` resolves and rolls back when it throws.
 * An abstract class so that it doubles as the Nest injection token.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
