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
/** What a WriteBatch holds: an output that has corked its outlet for the rest of this turn. */
export interface Held {
  release(): void
}

export interface WriteBatch {
  /** Calls `held.release()` at the end of this turn (the caller has corked its outlet). */
  hold(held: Held): void
  /** Releases everything held now (also what the scheduled flush does). */
  flush(): void
}

export function createWriteBatch(schedule: (flush: () => void) => void = queueMicrotask): WriteBatch {
  let held: Held[] = []
  const flush = () => {
    const outputs = held
    held = []
    for (const output of outputs) output.release()
  }
  return {
    hold(output) {
      if (held.push(output) === 1) schedule(flush)
    },
    flush
  }
}

// A class, not a closure per socket: one object with its methods on the prototype (heap
// snapshot of idle sockets: the factory's closures and context cost ~300 B each).
class Output implements BoundedOutput, Held {
  dropped = false
  private corked = false
  private readonly coalesce: boolean

  constructor(
    private readonly outlet: Outlet,
    private readonly maxBufferedBytes: number,
    private readonly batch: WriteBatch | undefined
  ) {
    this.coalesce = batch !== undefined && outlet.cork !== undefined && outlet.uncork !== undefined
  }

  send(data: Buffer) {
    const outlet = this.outlet
    if (this.dropped || !outlet.open) return false
    // Checked before writing, so what is queued (held frames included) never exceeds the bound.
    if (outlet.bufferedAmount + data.length > this.maxBufferedBytes) {
      this.dropped = true
      outlet.drop()
      return false
    }
    if (this.coalesce && !this.corked) {
      this.corked = true
      outlet.cork!()
      this.batch!.hold(this)
    }
    outlet.write(data)
    return true
  }

  release() {
    this.corked = false
    this.outlet.uncork!()
  }
}

export function createBoundedOutput(outlet: Outlet, maxBufferedBytes: number, batch?: WriteBatch): BoundedOutput {
  if (!(maxBufferedBytes > 0)) throw new Error('maxBufferedBytes must be > 0')
  return new Output(outlet, maxBufferedBytes, batch)
}
