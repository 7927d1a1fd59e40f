// A bounded work queue for costly jobs (password hashes): a few run at once, a few more may
// wait, and anything beyond that is refused at once instead of piling up.

export interface HashQueueOptions {
  /** Jobs running at once. */
  concurrency: number
  /** Jobs that may wait for a free slot; one more is refused with QueueFullError. */
  maxWaiting: number
  clock?: () => number
}

export interface HashQueue {
  /** Runs `job` when a slot is free; rejects at once with QueueFullError when the waiting list is full. */
  run<T>(job: () => Promise<T>): Promise<T>
  readonly running: number
  readonly waiting: number
  /** Seconds after which a refused caller may reasonably try again (at least 1). */
  retryAfterSec(): number
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError'
  constructor(readonly retryAfterSec: number) {
    super('the hashing queue is full')
  }
}

// Until a job has finished, the estimate assumes this long per job.
const INITIAL_JOB_MS = 500

export function createHashQueue(opts: HashQueueOptions): HashQueue {
  const { concurrency, maxWaiting } = opts
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be an integer >= 1')
  if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new Error('maxWaiting must be an integer >= 0')
  const clock = opts.clock ?? Date.now
  const waiters: (() => void)[] = []
  let running = 0
  // Exponential moving average of job time, for Retry-After.
  let jobMs = INITIAL_JOB_MS

  const retryAfterSec = () => Math.max(1, Math.ceil((((waiters.length + running) / concurrency) * jobMs) / 1000))

  async function run<T>(job: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiters.length >= maxWaiting) throw new QueueFullError(retryAfterSec())
      // The slot is handed over by the finishing job, so `running` never dips and no one overtakes.
      await new Promise<void>((resolve) => waiters.push(resolve))
    } else {
      running++
    }
    const start = clock()
    try {
      return await job()
    } finally {
      jobMs = jobMs * 0.8 + Math.max(0, clock() - start) * 0.2
      const next = waiters.shift()
      if (next) next()
      else running--
    }
  }

  return {
    run,
    get running() {
      return running
    },
    get waiting() {
      return waiters.length
    },
    retryAfterSec
  }
}
