// One chat socket's state and behaviour as one object: it is the socket's bounded output's
// outlet, the hubs' client and the frame handlers' context. Its methods sit on the prototype and
// its listeners are shared by every socket (they find it on the socket), so an idle socket costs
// its fields, not a closure per handler (heap snapshot of idle sockets: ~20 closures, their
// context and a getter object made ~2.5 KiB per socket).
import type { Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import type { ClientFrame, ServerFrame, WelcomeFrame } from '../schemas/frames.js'
import { encodeFrame, type ChatClient } from '../lib/chat/gateway/chat-hub.js'
import { createBoundedOutput, type BoundedOutput, type FrameSource, type Outlet, type WriteBatch } from '../lib/chat/gateway/bounded-output.js'
import { textFrame } from '../lib/chat/gateway/text-frame.js'
import { createFrameBudget, type FrameBudget, type FrameBudgetOptions } from '../lib/chat/gateway/frame-budget.js'
import { dispatchFrame, limitKeyOf, parseClientFrame, type FrameContext, type FrameHandlers } from '../lib/chat/gateway/chat-frames.js'
import { CLOSE, LOBBY, type CloseName, type ErrorCode } from '../lib/chat/protocol/protocol.js'
import { errorFrame } from '../lib/chat/protocol/error-frame.js'
import type { SessionRecord } from '../lib/sessions/ports.js'

/**
 * Live lobby messages wait this long after connecting for the client's first frame that is not
 * a `join`, so a reconnecting client's `join lobby since` replays in seq order; a silent client
 * gets them then.
 */
export const LOBBY_HOLD_MS = 250
/** After closing a socket for a fault (1003, 1008), it is no longer read, and dropped after this. */
export const CLOSE_GRACE_MS = 250

/** Client faults, counted per socket and logged in one line when it closes. */
type Fault = ErrorCode | 'over_budget' | 'binary' | 'too_big' | 'invalid_utf8' | 'protocol' | 'network' | 'slow_reader'

/** The close code ws sends for each of a client's protocol errors. */
const WS_CLOSE_FOR: Partial<Record<Fault, number>> = {
  too_big: CLOSE.tooBig.code,
  invalid_utf8: CLOSE.invalidUtf8.code,
  protocol: CLOSE.protocolError.code
}

/** What a socket 'error' event was: ws reports a client's protocol errors with WS_ERR_* codes. */
function faultOf(err: Error & { code?: string }): Fault {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 'too_big'
    case 'WS_ERR_INVALID_UTF8':
      return 'invalid_utf8'
    default:
      return err.code?.startsWith('WS_ERR_') ? 'protocol' : 'network'
  }
}

const isClientError = (err: Error & { code?: string; syscall?: string }) =>
  Boolean(err.code?.startsWith('WS_ERR_') || err.syscall || err.code === 'ECONNRESET' || err.code === 'EPIPE')

/**
 * @fastify/websocket's error hook. A client's protocol error (oversize, bad UTF-8...) is already
 * being answered by ws with its close code (1009, 1007, 1002) and is logged once by the route:
 * terminating here would race that close frame (clients saw 1006). Anything else is ours.
 */
export function onSocketError(err: Error, socket: WebSocket, request: { log: FastifyBaseLogger }) {
  if (isClientError(err)) return
  request.log.error({ err }, 'chat socket failed')
  if (socket.readyState === socket.OPEN) socket.close(CLOSE.internal.code, CLOSE.internal.reason)
  else socket.terminate()
}

/** What every socket of one app shares (made once by the route). */
export interface ChatShared {
  fastify: FastifyInstance
  handlers: FrameHandlers
  budgetOptions: FrameBudgetOptions
  limits: WelcomeFrame['limits']
  writes: WriteBatch
}

const CHAT = Symbol('chat')
type Tagged = WebSocket & { [CHAT]: ChatSocket }
const chatOf = (socket: WebSocket) => (socket as Tagged)[CHAT]

// Shared listeners: `this` is the socket (EventEmitter calls them so).
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean) {
  const chat = chatOf(this)
  try {
    chat.onMessage(data, isBinary)
  } catch (err) {
    chat.fail(err)
  }
}
function onError(this: WebSocket, err: Error) {
  chatOf(this).onError(err)
}
function onClose(this: WebSocket, code: number) {
  chatOf(this).onClose(code)
}
const releaseHold = (chat: ChatSocket) => chat.release()
/** Written with a callback, it calls back once everything written before it has left the process. */
const NOTHING = Buffer.alloc(0)
const authExpired = (chat: ChatSocket) => chat.closeFor('authRequired')

export class ChatSocket implements Outlet, ChatClient, FrameContext {
  // Set by begin(): until then the socket is not the hubs' client (a widget socket awaiting `auth`).
  user!: string
  sessionId!: string
  limitKey!: string
  site: string | undefined
  guest = false
  private begun = false
  private readonly output: BoundedOutput
  // Made at the first frame (a GCRA starts full whenever it is made): idle sockets never need it.
  private budget: FrameBudget | undefined
  private faults: Partial<Record<Fault, number>> | undefined
  private closedFor: CloseName | undefined
  // The code this server sent, for the log (the 'close' event shows what came back).
  private sentCode: number | undefined
  private holding: NodeJS.Timeout | undefined
  private authTimer: NodeJS.Timeout | undefined
  /** FrameContext: the clock when the frame being handled arrived (read once per frame). */
  now = 0

  /**
   * Listeners go on here, before any await, so no early frame is missed. `raw` is the TLS socket
   * under ws: frames are written to it whole (built once per fan-out, see lib/chat/gateway/text-frame.ts);
   * corking it keeps ws's own writes (pongs, close frames) in order with ours.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly raw: Socket,
    readonly log: FastifyBaseLogger,
    private readonly shared: ChatShared,
    /** addressKey of the upgrade's client address. */
    readonly address: string
  ) {
    this.output = createBoundedOutput(this, shared.fastify.config.maxBufferedBytes, shared.writes)
    ;(socket as Tagged)[CHAT] = this
    socket.on('message', onMessage)
    socket.on('error', onError)
    socket.on('close', onClose)
  }

  /** A socket with a session starts at once; one without waits for its `auth` frame, in time. */
  start(found: { session: SessionRecord; token: string } | undefined) {
    if (found) this.begin(found)
    else this.authTimer = setTimeout(authExpired, this.shared.fastify.config.wsAuthTimeoutMs, this)
  }

  // Outlet: what the bounded output needs of the socket.
  get bufferedAmount() {
    return this.socket.bufferedAmount
  }
  get open() {
    return this.socket.readyState === this.socket.OPEN
  }
  write(data: Buffer) {
    this.raw.write(textFrame(data))
  }
  drop() {
    this.note('slow_reader')
    this.socket.terminate()
  }
  cork() {
    this.raw.cork()
  }
  uncork() {
    this.raw.uncork()
  }
  flushed(done: () => void) {
    this.raw.write(NOTHING, done)
  }

  // ChatClient and RoomClient: every socket starts in the lobby.
  get room() {
    return LOBBY
  }
  get client() {
    return this
  }
  send(data: Buffer) {
    return this.output.send(data)
  }
  stream(source: FrameSource) {
    this.output.stream(source)
  }
  close(code: number, reason: string) {
    this.socket.close(code, reason)
  }

  // FrameContext
  refuse(code: ErrorCode, retryInMs?: number, room?: string, limit?: string) {
    this.refuseFor(code, code, retryInMs, room, limit)
  }
  fail(err: unknown) {
    this.log.error({ err }, 'chat frame failed')
    this.closedFor = 'internal'
    this.sentCode = CLOSE.internal.code
    this.socket.close(CLOSE.internal.code, CLOSE.internal.reason)
  }

  private note(fault: Fault) {
    const faults = (this.faults ??= {})
    faults[fault] = (faults[fault] ?? 0) + 1
  }

  private sendFrame(frame: ServerFrame) {
    this.output.send(encodeFrame(frame))
  }

  /** A socket closed for its own fault is no longer read: a flood stops costing anything. */
  closeFor(name: 'binary' | 'policy' | 'authRequired' | 'ticketInvalid') {
    const socket = this.socket
    this.closedFor = name
    this.sentCode = CLOSE[name].code
    socket.close(CLOSE[name].code, CLOSE[name].reason)
    socket.pause()
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS)
    socket.once('close', () => clearTimeout(timer))
  }

  private refuseFor(fault: Fault, code: ErrorCode, retryInMs?: number, room?: string, limit?: string) {
    this.note(fault)
    if (this.budgetOf().refuse(this.now)) return this.closeFor('policy')
    this.sendFrame(errorFrame(code, { room, retryInMs, limit }))
  }

  private budgetOf() {
    return (this.budget ??= createFrameBudget(this.shared.budgetOptions))
  }

  /** Ends the lobby hold: held live messages go out now. */
  release() {
    clearTimeout(this.holding)
    this.holding = undefined
    if (this.begun) this.shared.fastify.roomHub.release(this)
  }

  private begin({ session }: { session: SessionRecord }) {
    const { fastify, limits } = this.shared
    const { chatHub: hub, roomHub: rooms, config } = fastify
    this.user = session.username
    this.sessionId = session.id
    this.site = session.site
    this.guest = session.guest === true
    this.limitKey = limitKeyOf(session, this.address)
    this.begun = true
    // Connecting is not activity: reconnecting over and over must not keep a session alive.
    hub.join(this)
    this.sendFrame({ type: 'welcome', user: session.username, room: LOBBY, limits })
    // A socket joining a session that is already past the warning learns its deadline too.
    const last: number | undefined = session.lastActive // the registry's, as read when the socket was admitted
    const now = (this.now = Date.now()) // for a refusal of the lobby join below
    const idleFor = last === undefined ? 0 : now - last
    if (idleFor >= config.idleWarnMs) this.sendFrame({ type: 'idle_warning', kickInMs: Math.max(0, config.idleKickMs - idleFor) })
    // Every socket starts in the lobby (a full lobby says so; the socket can join other rooms).
    const lobbyError = rooms.join(this, LOBBY, undefined, true)
    if (lobbyError) this.refuse(lobbyError, undefined, LOBBY)
    else this.holding = setTimeout(releaseHold, LOBBY_HOLD_MS, this)
    // The session may have ended between the admission check and the join (which closing missed).
    fastify.sessions
      .isLive(session.id)
      .then((live) => live || this.close(CLOSE.logout.code, CLOSE.logout.reason))
      .catch((err) => this.log.error({ err }, 'session re-check failed'))
  }

  /** A widget socket without a cookie: its first frame must be `auth` with a live ticket, in time. */
  private authenticate(frame: ClientFrame | undefined) {
    clearTimeout(this.authTimer)
    if (frame?.type !== 'auth') return this.closeFor('authRequired')
    const { fastify } = this.shared
    const socket = this.socket
    const redeemed = fastify.embedTickets.redeem(frame.ticket)
    socket.pause() // nothing else is read until the ticket is settled
    void (async () => {
      const token = await redeemed
      const session = token === undefined ? undefined : await fastify.sessions.get(token)
      if (socket.readyState !== socket.OPEN) return
      if (!session?.site || token === undefined) return this.closeFor('ticketInvalid')
      if (fastify.chatHub.countUser(limitKeyOf(session, this.address)) >= fastify.config.maxSocketsPerUser) return this.closeFor('policy')
      this.begin({ session })
      socket.resume()
    })().catch((err) => this.fail(err))
  }

  onMessage(data: Buffer, isBinary: boolean) {
    if (this.socket.readyState !== this.socket.OPEN) return
    // The budget comes first, before the frame is looked at: refused frames spend it too.
    const now = (this.now = Date.now())
    const waitMs = this.budgetOf().spend(now)
    if (isBinary) {
      this.note('binary')
      return this.closeFor('binary')
    }
    if (waitMs > 0) return this.refuseFor('over_budget', 'rate_limited', waitMs)
    // Size: ws has refused anything over MAX_FRAME_BYTES (1009) before it gets here.
    const frame = parseClientFrame(data)
    if (!this.begun) return this.authenticate(frame)
    // Resuming clients send their joins first (a lobby join ends the hold in the hub, after its
    // replay); any other frame ends it here.
    if (this.holding && frame?.type !== 'join') this.release()
    if (!frame) return this.refuse('invalid')
    dispatchFrame(this.shared.handlers, frame, this)
  }

  onError(err: Error) {
    const fault = faultOf(err)
    this.note(fault)
    this.sentCode ??= WS_CLOSE_FOR[fault]
    onSocketError(err, this.socket, this)
  }

  onClose(code: number) {
    // A catch-up under way stops here: its source and the frames behind it are let go.
    this.output.close()
    clearTimeout(this.holding)
    clearTimeout(this.authTimer)
    // The session's idle clock keeps running without sockets: the reaper ends it in time.
    if (this.begun) {
      this.shared.fastify.roomHub.disconnect(this)
      this.shared.fastify.chatHub.leave(this)
    }
    // Client faults make one line per socket, whatever their number, and never a stack.
    const faults = this.faults
    if (faults) {
      const entry = { user: this.begun ? this.user : undefined, faults, closeCode: this.sentCode ?? code }
      const closedFor = this.closedFor
      if (closedFor === 'policy' || closedFor === 'binary' || this.output.dropped || this.sentCode !== undefined) {
        this.log.warn(entry, 'chat socket closed for client faults')
      } else this.log.info(entry, 'chat client faults')
    }
  }
}
