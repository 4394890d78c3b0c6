/**
 * The transaction boundary of one API call, named by what the call does: `read` or `write`.
 * Services wrap each call in one of them and repositories do their SQL inside it; a write commits
 * when `work` resolves and rolls back when it throws. Which connection runs the work, and whether
 * it waits for other work, is the engine's business, not the service's.
 * An abstract class so that it doubles as the Nest injection token.
 */
export abstract class UnitOfWork {
  /**
   * Read-only work. Each of its statements sees the last committed state: a client that got its
   * answer to a write sees it in its next read. There is no transaction around them, so two
   * statements of one read may see different commits (a page of a listing and its total, say):
   * reads are cheaper so, and none of this service's depends on two statements agreeing. Where
   * the engine allows, reads never wait for writes (on a SQLite file they run on read-only
   * connections of their own). Inside a running write it joins that write, and sees its changes.
   */
  abstract read<T>(work: () => Promise<T>): Promise<T>;

  /** Work that changes data, in one transaction. Inside a running write it joins it. */
  abstract write<T>(work: () => Promise<T>): Promise<T>;

  /**
   * For a write that is exactly one SQL statement: runs it in the database's own implicit
   * transaction, as atomic as an explicit one, without the BEGIN and COMMIT round trips.
   * On SQLite each round trip waits its turn in a busy event loop; for the bulk upsert this is
   * a quarter of the throughput with several uploads in flight.
   */
  abstract writeSingleStatement<T>(work: () => Promise<T>): Promise<T>;
}
