// The one way out to a socket: every frame the server sends it (welcome, errors, warnings,
// broadcasts) passes here, and the bytes it has not read yet may never exceed one bound.
// A client that falls that far behind is dropped: its replies cannot pile up in memory.
// Frames written to one socket in the same turn leave together, in one write (see WriteBatch).
// Frames the server chooses to send in bulk (a catch-up, `joined`, history and member pages) take
// another lane: pulled one at a time while the socket has room, the next ones once it has handed
// what it holds to the kernel; they never drop a client (see BoundedOutput.stream).

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
  /**
   * Calls `done` once everything written so far has left the process (an empty write with a
   * callback). Without it a stream is written at once, unpaced.
   */
  flushed?(done: () => void): void
  /** A stream's source failed (a history read): the connection ends as the server's fault. */
  fail?(err: unknown): void
}

/**
 * The frames of one server-chosen reply, pulled one at a time: the next frame, a promise of it
 * (read from disk), or undefined when the reply is complete. Nothing is encoded before there is
 * room for it, so a paused catch-up holds at most one frame (and its source's current chunk).
 */
export type FrameSource = () => Buffer | undefined | Promise<Buffer | undefined>

/** At most this many streams wait for one socket; a client asking for more without reading is dropped. */
export const MAX_STREAMS = 256

export interface BoundedOutput {
  /**
   * Sends one encoded frame; false when it was not sent (socket closed, or dropped now). While a
   * stream is under way the frame waits behind it, in order; live frames waiting may take half
   * the bound (a client that does not read its live traffic is still dropped).
   */
  send(data: Buffer): boolean
  /**
   * Sends a server-chosen reply paced by the socket: a frame is written only while the socket
   * holds less than half the bound (or nothing); then the rest waits until that has left the
   * process. Streams and live frames go out in the order they were given.
   */
  stream(source: FrameSource): void
  /** The socket closed: whatever waits is let go. */
  close(): void
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
  /** While a stream is under way: what waits, in order (live frames, and the streams' sources). */
  private backlog: (Buffer | FrameSource)[] | undefined
  /** Bytes of the live frames in the backlog. */
  private backlogBytes = 0
  private streams = 0
  /** The head stream's next frame, pulled and waiting for room (or its pending read). */
  private next: Buffer | Promise<Buffer | undefined> | undefined
  private pumpLater: (() => void) | undefined

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
    const backlog = this.backlog
    if (backlog) {
      // Behind a stream: the client is dropped when its live frames alone outgrow half the bound.
      if (this.backlogBytes + data.length > this.maxBufferedBytes / 2) return this.dropNow()
      this.backlogBytes += data.length
      backlog.push(data)
      return true
    }
    // Checked before writing, so what is queued (held frames included) never exceeds the bound.
    if (outlet.bufferedAmount + data.length > this.maxBufferedBytes) return this.dropNow()
    this.write(data)
    return true
  }

  stream(source: FrameSource) {
    if (this.dropped || !this.outlet.open) return
    if (++this.streams > MAX_STREAMS) {
      this.dropNow()
      return
    }
    if (this.backlog) {
      this.backlog.push(source)
      return
    }
    this.backlog = [source]
    this.pump()
  }

  close() {
    this.backlog = undefined
    this.next = undefined
    this.backlogBytes = 0
    this.streams = 0
  }

  private dropNow() {
    this.dropped = true
    this.close()
    this.outlet.drop()
    return false
  }

  private failWith(err: unknown) {
    this.close()
    if (this.outlet.fail) this.outlet.fail(err)
    else this.dropNow()
  }

  private write(data: Buffer) {
    const outlet = this.outlet
    if (this.coalesce && !this.corked) {
      this.corked = true
      outlet.cork!()
      this.batch!.hold(this)
    }
    outlet.write(data)
  }

  // Writes what waits, in order, until a stream's next frame finds no room or is still being read;
  // the outlet's flushed() or the read calls it again. A backlog always has one such call pending.
  private pump() {
    const outlet = this.outlet
    const room = this.maxBufferedBytes / 2
    for (let backlog = this.backlog; backlog && backlog.length > 0; backlog = this.backlog) {
      if (this.dropped || !outlet.open) return this.close()
      const head = backlog[0]!
      if (Buffer.isBuffer(head)) {
        backlog.shift()
        this.backlogBytes -= head.length
        this.write(head)
        continue
      }
      let next: Buffer | Promise<Buffer | undefined> | undefined
      try {
        next = this.next ??= head()
      } catch (err) {
        // Pulled from a write callback too: a throw must end this connection, not the process.
        return this.failWith(err)
      }
      if (next instanceof Promise) {
        next.then(
          (frame) => {
            if (this.next !== next) return // closed meanwhile
            this.next = frame
            this.pump()
          },
          (err: unknown) => {
            if (this.next === next) this.failWith(err)
          }
        )
        return
      }
      if (next === undefined) {
        backlog.shift()
        this.streams--
        continue
      }
      const buffered = outlet.bufferedAmount
      if (buffered > 0 && buffered + next.length > room && outlet.flushed) {
        outlet.flushed((this.pumpLater ??= () => this.pump()))
        return
      }
      this.next = undefined
      this.write(next)
    }
    this.backlog = undefined
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
