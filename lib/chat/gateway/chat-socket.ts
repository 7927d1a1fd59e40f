// One chat socket's state and behaviour as one object: it is the socket's bounded output's
// outlet, the hubs' client and the frame handlers' context. Its methods sit on the prototype and
// its listeners are shared by every socket (they find it on the socket), so an idle socket costs
// its fields, not a closure per handler (heap snapshot of idle sockets: ~20 closures, their
// context and a getter object made ~2.5 KiB per socket). What it uses comes in one plain
// ChatSocketDeps object (the WebSocket route builds it): it knows no Fastify.
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import type { ClientFrame, JoinFrame, WelcomeFrame } from '../../../schemas/frames.js'
import type { ChatClient, ChatHub } from './chat-hub.js'
import { createBoundedOutput, type BoundedOutput, type FrameSource, type Outlet, type WriteBatch } from './bounded-output.js'
import { textFrame } from './text-frame.js'
import { createFrameBudget, type FrameBudget, type FrameBudgetOptions } from './frame-budget.js'
import { dispatchFrame, limitKeyOf, parseClientFrame, type FrameContext, type FrameHandlers } from './chat-frames.js'
import { faultOf, onSocketError, WS_CLOSE_FOR, type ChatLogger, type Fault } from './socket-faults.js'
import { CLOSE, LOBBY, type CloseName, type ErrorCode } from '../protocol/protocol.js'
import { encodeError, encodeIdleWarning, encodeWelcome } from '../protocol/server-frames.js'
import type { RoomHub } from '../rooms/room-hub.js'
import type { SessionRecord } from '../../sessions/ports.js'

/** After closing a socket for a fault (1003, 1008), it is no longer read, and dropped after this. */
export const CLOSE_GRACE_MS = 250

/** Everything a chat socket uses, shared by every socket of one server (made once by the route). */
export interface ChatSocketDeps {
  /** Rooms: a closing socket leaves them all (joins and the rest go through `handlers`). */
  rooms: Pick<RoomHub, 'disconnect'>
  /** Who is connected: a socket counts from its start to its close. */
  hub: Pick<ChatHub, 'join' | 'leave' | 'countUser'>
  sessions: {
    /** The live session a widget ticket stood for. */
    get(token: string): Promise<SessionRecord | undefined>
    /** Still live (it may have ended between the upgrade's check and the socket's start). */
    isLive(id: string): Promise<boolean>
  }
  /** Widget tickets: a live one gives its session's token, once. */
  tickets: { redeem(ticket: string): string | undefined | Promise<string | undefined> }
  config: {
    /** MAX_BUFFERED_BYTES: the socket's output bound. */
    maxBufferedBytes: number
    /** WS_AUTH_TIMEOUT_MS: a socket without a session must send `auth` within it. */
    wsAuthTimeoutMs: number
    idleWarnMs: number
    idleKickMs: number
    /** MAX_SOCKETS_PER_USER, checked again when a widget ticket is redeemed. */
    maxSocketsPerUser: number
  }
  /** What each client frame does (lib/chat/gateway/chat-frames.ts). */
  handlers: FrameHandlers
  budgetOptions: FrameBudgetOptions
  /** The limits the welcome states. */
  limits: WelcomeFrame['limits']
  /** Frames to one socket in the same turn leave in one write. */
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
  private authTimer: NodeJS.Timeout | undefined
  /** FrameContext: the clock when the frame being handled arrived (read once per frame). */
  now = 0
  /** The room the upgrade's query asked for, until the socket begins. */
  private firstJoin: JoinFrame | undefined

  /**
   * Listeners go on here, before any await, so no early frame is missed. `raw` is the TLS socket
   * under ws: frames are written to it whole (built once per fan-out, see lib/chat/gateway/text-frame.ts);
   * corking it keeps ws's own writes (pongs, close frames) in order with ours.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly raw: Socket,
    readonly log: ChatLogger,
    private readonly deps: ChatSocketDeps,
    /** addressKey of the upgrade's client address. */
    readonly address: string
  ) {
    this.output = createBoundedOutput(this, deps.config.maxBufferedBytes, deps.writes)
    ;(socket as Tagged)[CHAT] = this
    socket.on('message', onMessage)
    socket.on('error', onError)
    socket.on('close', onClose)
  }

  /**
   * A socket with a session starts at once; one without waits for its `auth` frame, in time.
   * `join`: the room the upgrade's query asked for, joined right after `welcome`.
   */
  start(found: { session: SessionRecord; token: string } | undefined, join?: JoinFrame) {
    this.firstJoin = join
    if (found) this.begin(found)
    else this.authTimer = setTimeout(authExpired, this.deps.config.wsAuthTimeoutMs, this)
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

  // ChatClient and RoomClient (`room`: the lobby, which `welcome` names as the room to join first).
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

  private sendFrame(data: Buffer) {
    this.output.send(data)
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
    this.sendFrame(encodeError(code, { room, retryInMs, limit }))
  }

  private budgetOf() {
    return (this.budget ??= createFrameBudget(this.deps.budgetOptions))
  }

  private begin({ session }: { session: SessionRecord }) {
    const { hub, config, limits } = this.deps
    this.user = session.username
    this.sessionId = session.id
    this.site = session.site
    this.guest = session.guest === true
    this.limitKey = limitKeyOf(session, this.address)
    this.begun = true
    // Connecting is not activity: reconnecting over and over must not keep a session alive.
    hub.join(this)
    // The server joins no room by itself: the client asks for each one (the lobby, named in the
    // welcome, included), with `since` to resume, so a resume gets every missed message once.
    this.sendFrame(encodeWelcome({ user: session.username, room: LOBBY, limits }))
    // A socket joining a session that is already past the warning learns its deadline too.
    const last: number | undefined = session.lastActive // the registry's, as read when the socket was admitted
    const now = (this.now = Date.now()) // also for a refusal of the first join below
    const idleFor = last === undefined ? 0 : now - last
    if (idleFor >= config.idleWarnMs) this.sendFrame(encodeIdleWarning(Math.max(0, config.idleKickMs - idleFor)))
    // The room the upgrade asked for: joined now, as its `join` frame would be (same checks and
    // limits), so `joined` leaves with the welcome in one write.
    const join = this.firstJoin
    this.firstJoin = undefined
    if (join) dispatchFrame(this.deps.handlers, join, this)
    // The session may have ended between the admission check and the join (which closing missed).
    this.deps.sessions
      .isLive(session.id)
      .then((live) => live || this.close(CLOSE.logout.code, CLOSE.logout.reason))
      .catch((err) => this.log.error({ err }, 'session re-check failed'))
  }

  /** A widget socket without a cookie: its first frame must be `auth` with a live ticket, in time. */
  private authenticate(frame: ClientFrame | undefined) {
    clearTimeout(this.authTimer)
    if (frame?.type !== 'auth') return this.closeFor('authRequired')
    const { tickets, sessions, hub, config } = this.deps
    const socket = this.socket
    // Redeemed at once (before the pause): a ticket is single-use whatever comes next.
    const redeemed = tickets.redeem(frame.ticket)
    socket.pause() // nothing else is read until the ticket is settled
    void (async () => {
      const token = await redeemed
      const session = token === undefined ? undefined : await sessions.get(token)
      if (socket.readyState !== socket.OPEN) return
      if (!session?.site || token === undefined) return this.closeFor('ticketInvalid')
      if (hub.countUser(limitKeyOf(session, this.address)) >= config.maxSocketsPerUser) return this.closeFor('policy')
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
    if (!frame) return this.refuse('invalid')
    dispatchFrame(this.deps.handlers, frame, this)
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
    clearTimeout(this.authTimer)
    // The session's idle clock keeps running without sockets: the reaper ends it in time.
    if (this.begun) {
      this.deps.rooms.disconnect(this)
      this.deps.hub.leave(this)
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
