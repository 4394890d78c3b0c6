/**
 * The transaction boundary of one API call. Services wrap each call in `run`, repositories
 * do their SQL inside it; everything commits when `work` resolves and rolls back when it throws.
 * An abstract class so that it doubles as the Nest injection token.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;

  /**
   * For work that is exactly one SQL statement: runs it in the database's own implicit
   * transaction, as atomic as an explicit one, without the BEGIN and COMMIT round trips.
   * On SQLite each round trip waits its turn in a busy event loop; for the bulk upsert this is
   * a quarter of the throughput with several uploads in flight.
   */
  abstract runSingleStatement<T>(work: () => Promise<T>): Promise<T>;
}
