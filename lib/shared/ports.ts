// What every port shares: an answer that is a plain value where the local adapter has it at hand.

/**
 * A port's answer on a hot path (per message, per recipient): a plain value where the adapter can
 * answer at once (the local adapters always can, so a single node allocates no promise per
 * message), a promise where it must ask another process. Callers await only a promise they got:
 * `const v = port.take(k); const n = typeof v === 'number' ? v : await v`.
 */
export type Awaitable<T> = T | Promise<T>
