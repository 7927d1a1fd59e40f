// The one group commit: changes are made in memory at once, and each write carries every change
// made before it started, so a burst of changes costs one write (one fsync), not one per change.

export interface GroupWriterOptions<T> {
  /** Names the store in errors: `could not write ${what}: ...`. */
  what: string
  /** The file's content now (read when a write starts, so it carries every change made so far). */
  snapshot: () => string
  /** Makes the content durable (an atomic file write). */
  write: (data: string) => Promise<void>
  /**
   * On a failed write, whether the changes queued behind it fail too (they were made on top of
   * the failed ones, so a store that undoes changes must undo them all); default false, the
   * queued ones get a write of their own.
   */
  failQueued?: boolean
  /** Told the failed changes, newest last, before they are rejected (to undo them in memory). */
  rollback?: (failed: T[]) => void
  /** Called after each durable write with the number of changes it carried. */
  onWrite?: (changes: number) => void
}

export interface GroupWriter<T> {
  /** Resolves once a write that includes this change is durable; rejects when that write failed. */
  commit(change: T): Promise<void>
  /** Resolves when no write is running or queued. */
  settled(): Promise<void>
}

/** The loop alone: changes added in one turn share one commit; those added while it runs share the next. */
export interface GroupCommit<T> {
  /** Queues a change for the next commit (no promise: fit for a per-message path). */
  add(change: T): void
  /** Resolves when no commit is running or queued. */
  settled(): Promise<void>
}

/**
 * Runs `commit` for each batch, one at a time, starting a turn after the first change (so the
 * current burst joins it). `commit` must not reject (it tells its changes how they fared);
 * `queued()` takes the changes queued behind the batch, for a commit that fails them too.
 */
export function createGroupCommit<T>(commit: (batch: T[], queued: () => T[]) => Promise<void>): GroupCommit<T> {
  let queue: T[] = []
  let running: Promise<void> | undefined
  const take = () => {
    const batch = queue
    queue = []
    return batch
  }
  async function loop(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve))
      while (queue.length > 0) await commit(take(), take)
    } finally {
      // Cleared synchronously as the loop ends, so a change made by a resolved caller starts a new loop.
      running = undefined
    }
  }
  return {
    add(change) {
      queue.push(change)
      running ??= loop()
    },
    async settled() {
      await running
    }
  }
}

interface Waiting<T> {
  change: T
  resolve: () => void
  reject: (err: Error) => void
}

/** A whole-file store's writer: each change's promise settles with the write that carried it. */
export function createGroupWriter<T = void>(opts: GroupWriterOptions<T>): GroupWriter<T> {
  const loop = createGroupCommit<Waiting<T>>(async (written, queued) => {
    let batch = written
    try {
      await opts.write(opts.snapshot())
    } catch (cause) {
      if (opts.failQueued) batch = [...batch, ...queued()]
      opts.rollback?.(batch.map((w) => w.change))
      const message = cause instanceof Error ? cause.message : String(cause)
      const err = new Error(`could not write ${opts.what}: ${message}`, { cause })
      for (const w of batch) w.reject(err)
      return
    }
    for (const w of batch) w.resolve()
    try {
      opts.onWrite?.(batch.length)
    } catch {
      // A faulty hook must not stall the writes queued behind it.
    }
  })
  return {
    commit: (change) => new Promise<void>((resolve, reject) => loop.add({ change, resolve, reject })),
    settled: () => loop.settled()
  }
}
