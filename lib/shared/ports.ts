// What every port shares: an answer that is a plain value where the local adapter has it at hand.

/**
 * A port's answer on a hot path (per message, per recipient): a plain value where the adapter can
 * answer at once (the local adapters always can, so a single node allocates no promise per
 * message), a promise where it must ask another process. Callers await only a promise they got:
 * `const v = port.take(k); const n = typeof v === 'number' ? v : await v`.
 */
export type Awaitable<T> = T | Promise<T>

/** Calls `next` with the value: at once when it is one, after the promise otherwise (no promise made for a plain value). */
export const then = <T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> =>
  value instanceof Promise ? value.then(next) : next(value)

/**
 * The rate-limits port: one limit (a rate and a burst) over many keys (a user, an address). A shared
 * adapter must make take() atomic (read, decide and write a key's state in one step: a Lua script
 * over one GCRA cell) and expire a key once its bucket is full again.
 */
export interface RateLimit {
  /** Takes one token for `key`: 0 when allowed, otherwise the ms until the next token. */
  take(key: string, now?: number): Awaitable<number>
  /** Like take, without taking: 0 when a token is there. */
  wait(key: string, now?: number): Awaitable<number>
  /** Gives back a token taken in advance (for attempts that turned out not to count). */
  refund(key: string, now?: number): Awaitable<void>
}

/** One domain's adapters as its factory builds them: the ports (decorated on the app by name), and their release. */
export interface Adapters<P> {
  ports: P
  close(): Promise<void>
}
