// Group commit: items that arrive while one batch is being committed wait and go together in the
// next, so under load one commit (one fsync, one database round trip) serves many calls, and alone an
// item is committed at once. Each item's promise settles with its batch's commit, or with its own
// error when the commit reports one per item. Used by the JSON Lines files and the PostgreSQL trail.
export class GroupCommit<T> {
  private queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  /**
   * `commit` writes one batch and resolves once it is durable, with nothing (all committed) or one
   * entry per item (undefined: committed; otherwise why not); `maxBatch` bounds a batch (one
   * statement's size), the rest wait for the next.
   */
  constructor(
    private readonly commit: (batch: T[]) => Promise<readonly unknown[] | void>,
    private readonly maxBatch: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Resolves once the item's batch is committed; rejects with its error. */
  add(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.flushing !== undefined) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // An item added after the last batch was taken, while this flush was still finishing.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  /** Waits for what was added to be committed (or to fail), then refuses more. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== undefined) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let errors: readonly unknown[] | void;
      try {
        errors = await this.commit(batch.map((p) => p.item));
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      batch.forEach((p, i) => (errors?.[i] === undefined ? p.resolve() : p.reject(errors[i])));
    }
  }
}
