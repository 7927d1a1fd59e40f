// Group commit for a whole-file store: changes are made in memory at once, and each write carries
// every change made before it started, so a burst of changes costs one write, not one per change.

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

interface Waiting<T> {
  change: T
  resolve: () => void
  reject: (err: Error) => void
}

export function createGroupWriter<T = void>(opts: GroupWriterOptions<T>): GroupWriter<T> {
  let pending: Waiting<T>[] = []
  let running: Promise<void> | undefined

  async function run(): Promise<void> {
    try {
      // Let the current burst of calls join the first write.
      await new Promise((resolve) => setImmediate(resolve))
      await writeBatches()
    } finally {
      // Cleared synchronously as the loop ends, so a change made by a resolved caller starts a new run.
      running = undefined
    }
  }

  async function writeBatches(): Promise<void> {
    while (pending.length > 0) {
      let batch = pending
      pending = []
      try {
        await opts.write(opts.snapshot())
      } catch (cause) {
        if (opts.failQueued) {
          batch = [...batch, ...pending]
          pending = []
        }
        opts.rollback?.(batch.map((w) => w.change))
        const message = cause instanceof Error ? cause.message : String(cause)
        const err = new Error(`could not write ${opts.what}: ${message}`, { cause })
        for (const w of batch) w.reject(err)
        continue
      }
      for (const w of batch) w.resolve()
      try {
        opts.onWrite?.(batch.length)
      } catch {
        // A faulty hook must not stall the writes queued behind it.
      }
    }
  }

  return {
    commit(change) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ change, resolve, reject })
        running ??= run()
      })
    },
    async settled() {
      await running
    }
  }
}
