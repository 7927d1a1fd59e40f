// The one way out to a socket: every frame the server sends it (welcome, errors, warnings,
// broadcasts) passes here, and the bytes it has not read yet may never exceed one bound.
// A client that falls that far behind is dropped: its replies cannot pile up in memory.

/** What the output needs of a socket (no socket types here). */
export interface Outlet {
  /** Bytes queued in the process and not yet handed to the kernel. */
  readonly bufferedAmount: number
  readonly open: boolean
  write(data: Buffer): void
  /** Ends the connection at once, without a closing handshake (the client is not reading). */
  drop(): void
}

export interface BoundedOutput {
  /** Sends one encoded frame; false when it was not sent (socket closed, or dropped now). */
  send(data: Buffer): boolean
  readonly dropped: boolean
}

export function createBoundedOutput(outlet: Outlet, maxBufferedBytes: number): BoundedOutput {
  if (!(maxBufferedBytes > 0)) throw new Error('maxBufferedBytes must be > 0')
  let dropped = false
  return {
    send(data) {
      if (dropped || !outlet.open) return false
      // Checked before writing, so what is queued never exceeds the bound.
      if (outlet.bufferedAmount + data.length > maxBufferedBytes) {
        dropped = true
        outlet.drop()
        return false
      }
      outlet.write(data)
      return true
    },
    get dropped() {
      return dropped
    }
  }
}
