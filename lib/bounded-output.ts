// The one way out to a socket: every frame the server sends it (welcome, errors, warnings,
// broadcasts) passes here, and the bytes it has not read yet may never exceed one bound.
// A client that falls that far behind is dropped: its replies cannot pile up in memory.
// Frames written to one socket in the same turn leave together, in one write (see WriteBatch).

/** What the output needs of a socket (no socket types here). */
export interface Outlet {
  /** Bytes queued in the process and not yet handed to the kernel (held ones included). */
  readonly bufferedAmount: number
  readonly open: boolean
  write(data: Buffer): void
  /** Ends the connection at once, without a closing handshake (the client is not reading). */
  drop(): void
  /** Holds writes back (in order, counted in bufferedAmount) until uncork(). */
  cork?(): void
  uncork?(): void
}

export interface BoundedOutput {
  /** Sends one encoded frame; false when it was not sent (socket closed, or dropped now). */
  send(data: Buffer): boolean
  readonly dropped: boolean
}

/**
 * The outlets written to in this turn, released together at its end: a fan-out of k messages
 * costs each socket one write (one TLS record, one syscall) instead of k. One per server; the
 * only per-turn cost is one scheduled flush, whatever the number of frames or sockets.
 */
export interface WriteBatch {
  /** Calls `release` at the end of this turn (the caller has corked its outlet). */
  hold(release: () => void): void
  /** Releases everything held now (also what the scheduled flush does). */
  flush(): void
}

export function createWriteBatch(schedule: (flush: () => void) => void = queueMicrotask): WriteBatch {
  let held: (() => void)[] = []
  const flush = () => {
    const releases = held
    held = []
    for (const release of releases) release()
  }
  return {
    hold(release) {
      if (held.push(release) === 1) schedule(flush)
    },
    flush
  }
}

export function createBoundedOutput(outlet: Outlet, maxBufferedBytes: number, batch?: WriteBatch): BoundedOutput {
  if (!(maxBufferedBytes > 0)) throw new Error('maxBufferedBytes must be > 0')
  let dropped = false
  let corked = false
  // Made once per socket: holding a turn's frames costs no closure per frame.
  const release = () => {
    corked = false
    outlet.uncork!()
  }
  const coalesce = batch !== undefined && outlet.cork !== undefined && outlet.uncork !== undefined
  return {
    send(data) {
      if (dropped || !outlet.open) return false
      // Checked before writing, so what is queued (held frames included) never exceeds the bound.
      if (outlet.bufferedAmount + data.length > maxBufferedBytes) {
        dropped = true
        outlet.drop()
        return false
      }
      if (coalesce && !corked) {
        corked = true
        outlet.cork!()
        batch.hold(release)
      }
      outlet.write(data)
      return true
    },
    get dropped() {
      return dropped
    }
  }
}
