// Password hashing through one bounded queue (HASH_CONCURRENCY at once, HASH_QUEUE_MAX waiting),
// so a flood of logins or registrations cannot starve static files, chat or the memory; and the
// start-up job that wraps bare legacy SHA-256 records in scrypt.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../lib/shared/api-error.js'
import { createHashQueue, QueueFullError, type HashQueue } from '../../lib/accounts/hash-queue.js'
import { wrapStoredLegacyHashes } from '../../lib/accounts/legacy-import.js'
import { burnPasswordCheck, hashPassword, verifyPassword, wrapLegacyHash, type ScryptParams, type VerifyResult } from '../../lib/accounts/password.js'
import type { PasswordHash } from '../../lib/accounts/ports.js'

/**
 * Every password hash the server computes goes through these. Each call waits for a hashing slot;
 * when too many are waiting it throws ApiError 503 `busy` with `retryAfterSec` (the error handler
 * answers it with a Retry-After header). The current SCRYPT_COST is applied for you.
 */
export interface Passwords {
  /** A new scrypt record for `password`. */
  hash(password: string): Promise<PasswordHash>
  /** Checks `password` against `stored`; `rehash` says the record should be replaced with hash(password). */
  verify(password: string, stored: PasswordHash): Promise<VerifyResult>
  /** Costs what a verify costs and never succeeds: use it when there is no record, so timing tells nothing. */
  burn(password: string): Promise<VerifyResult>
  /** The queue itself (for metrics and tests). */
  readonly queue: HashQueue
}

declare module 'fastify' {
  interface FastifyInstance {
    passwords: Passwords
  }
}

const BUSY_MESSAGE = 'The server is busy; try again shortly.'

async function passwordsPlugin(fastify: FastifyInstance) {
  const { hashConcurrency, hashQueueMax, scryptCost } = fastify.config
  const params: ScryptParams = { N: scryptCost, r: 8, p: 1 }
  const queue = createHashQueue({ concurrency: hashConcurrency, maxWaiting: hashQueueMax })

  const queued = async <T>(job: () => Promise<T>): Promise<T> => {
    try {
      return await queue.run(job)
    } catch (err) {
      if (err instanceof QueueFullError) throw new ApiError(503, 'busy', BUSY_MESSAGE, err.retryAfterSec)
      throw err
    }
  }

  fastify.decorate('passwords', {
    hash: (password: string) => queued(() => hashPassword(password, params)),
    verify: (password: string, stored: PasswordHash) => queued(() => verifyPassword(password, stored, params)),
    burn: (password: string) => queued(() => burnPasswordCheck(password, params)),
    queue
  } satisfies Passwords)

  // Records left bare by older imports are wrapped in the background, one slot at a time,
  // waiting (not failing) when the queue is full; close stops the job between users.
  let closing = false
  let job: Promise<unknown> | undefined
  fastify.addHook('onReady', async () => {
    const wrap = async (sha256hex: string): Promise<PasswordHash> => {
      for (;;) {
        try {
          return await queue.run(() => wrapLegacyHash(sha256hex, params))
        } catch (err) {
          if (!(err instanceof QueueFullError) || closing) throw err
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      }
    }
    job = wrapStoredLegacyHashes(fastify.userStore, wrap, () => closing).then(
      (names) => names.length > 0 && fastify.log.info({ count: names.length }, 'wrapped legacy SHA-256 hashes in scrypt'),
      (err: unknown) => fastify.log.error({ err }, 'wrapping legacy hashes failed')
    )
  })
  fastify.addHook('onClose', async () => {
    closing = true
    await job
  })
}

export default fp(passwordsPlugin, { name: 'passwords', dependencies: ['config', 'adapters'] })
