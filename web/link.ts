// The socket's life cycle: connect, notice a drop, reconnect with full-jitter backoff, and tell a drop
// apart from an ended session. A browser cannot read the status of a refused upgrade, so after an
// upgrade that never opened it asks the session check (GET /api/session) what is wrong.
import { backoffDelay, RECONNECT_BACKOFF, type BackoffOptions } from './backoff.ts'
import type { Connection, ConnectionHandlers } from './connection-types.ts'
import type { ClientFrame, ServerFrame } from './protocol.ts'
import type { Timers } from './throttle.ts'
import { t } from './i18n/index.ts'

/** What GET /api/session said after a failed connect. */
export type SessionCheck =
  | { kind: 'ok' }
  | { kind: 'ended' }
  | { kind: 'unreachable' }
  | { kind: 'refused'; message: string; retryAfterMs: number }

export type LinkStatus = 'connecting' | 'open' | 'reconnecting' | 'offline'

export interface LinkDeps {
  open(handlers: ConnectionHandlers): Connection
  checkSession(): Promise<SessionCheck>
  timers: Timers
  random?: () => number
  backoff?: BackoffOptions
}

export interface LinkEvents {
  onFrame(frame: ServerFrame): void
  /** Status changes; `problem` explains a refusal; `retryAt` is when the next try is due (0: none). */
  onStatus(status: LinkStatus, problem: string, retryAt: number): void
  /** The socket is gone (a drop, going offline): whatever was in flight may be lost. */
  onDown(): void
  /** The session is over (close code 4000-4099, or 0 when the session check says 401): never retried. */
  onEnded(code: number): void
}

/** Close codes 4000-4099 end the session on purpose (idle, logout, expiry, kick): never reconnect. */
export const isFinalClose = (code: number) => code >= 4000 && code < 4100

/** Refused upgrades (with a live session) in a row before the banner says the server refuses us. */
export const REFUSALS_BEFORE_PROBLEM = 2


export function createLink(deps: LinkDeps, events: LinkEvents) {
  const { timers } = deps
  const backoff = deps.backoff ?? RECONNECT_BACKOFF
  let conn: Connection | null = null
  let generation = 0
  let attempt = 0
  let refusals = 0
  let timer: unknown = null
  let status: LinkStatus = 'connecting'
  let problem = ''
  let retryAt = 0
  let stopped = true

  const setStatus = (next: LinkStatus) => {
    status = next
    events.onStatus(status, problem, retryAt)
  }

  const clearTimer = () => {
    if (timer !== null) timers.clearTimeout(timer)
    timer = null
    retryAt = 0
  }

  function connect() {
    clearTimer()
    const mine = ++generation
    conn = deps.open({
      onFrame(frame) {
        if (mine !== generation) return
        if (frame.type === 'welcome') {
          attempt = 0
          refusals = 0
          problem = ''
          setStatus('open')
        }
        events.onFrame(frame)
      },
      onClose(code, opened) {
        if (mine !== generation) return
        conn = null
        events.onDown()
        if (isFinalClose(code)) {
          stop()
          return events.onEnded(code)
        }
        setStatus('reconnecting')
        if (opened) schedule(0)
        else void check(mine)
      }
    })
    setStatus(status === 'open' || status === 'offline' ? 'connecting' : status)
  }

  async function check(mine: number) {
    const result = await deps.checkSession()
    if (mine !== generation || stopped) return
    switch (result.kind) {
      case 'ended':
        stop()
        return events.onEnded(0)
      case 'refused':
        problem = result.message
        return schedule(result.retryAfterMs)
      case 'ok':
        if (++refusals >= REFUSALS_BEFORE_PROBLEM) problem = t('link.refused')
        return schedule(0)
      case 'unreachable':
        problem = ''
        return schedule(0)
    }
  }

  function schedule(minMs: number) {
    clearTimer()
    const delay = Math.max(minMs, backoffDelay(attempt++, backoff, deps.random))
    retryAt = timers.now() + delay
    timer = timers.setTimeout(() => {
      timer = null
      if (!stopped) connect()
    }, delay)
    setStatus('reconnecting')
  }

  function stop() {
    stopped = true
    generation++
    clearTimer()
    conn?.close()
    conn = null
  }

  return {
    start() {
      stopped = false
      attempt = 0
      refusals = 0
      problem = ''
      status = 'connecting'
      connect()
    },
    /** Closes for good (log out, session over): no reconnect. */
    stop,
    /** The 'retry now' button: try at once instead of waiting out the backoff. */
    retryNow() {
      if (stopped || conn) return
      connect()
    },
    /** The browser lost or regained its network: drop the socket, or reconnect at once. */
    setOffline(offline: boolean) {
      if (stopped) return
      if (offline) {
        generation++
        clearTimer()
        if (conn) {
          conn.close()
          conn = null
          events.onDown()
        }
        return setStatus('offline')
      }
      if (status === 'offline') {
        attempt = 0
        connect()
      }
    },
    send(frame: ClientFrame): boolean {
      return status === 'open' && conn !== null && conn.send(frame)
    },
    get status() {
      return status
    }
  }
}

export type Link = ReturnType<typeof createLink>
