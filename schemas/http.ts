// HTTP API schemas shared by the routes (validation, serialisation) and the browser (types only).
import Type, { type Static } from 'typebox'

export const CredentialsSchema = Type.Object(
  {
    // Loose caps here; the precise rules live in lib/accounts/credentials.ts and answer with their own codes.
    username: Type.String({ maxLength: 256 }),
    password: Type.String({ maxLength: 1024 })
  },
  { additionalProperties: false }
)
export type Credentials = Static<typeof CredentialsSchema>

export const UserSchema = Type.Object({ username: Type.String() })
export type User = Static<typeof UserSchema>

/** GET /api/session: who is signed in, or null; never an error status for "nobody". */
export const SessionStateSchema = Type.Object({ user: Type.Union([UserSchema, Type.Null()]) })
export type SessionState = Static<typeof SessionStateSchema>

export const ApiErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String()
})
export type ApiError = Static<typeof ApiErrorSchema>

/** Stable error codes of the HTTP API. */
export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_username'
  | 'invalid_password'
  | 'username_taken'
  | 'invalid_credentials'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'rate_limited'
  | 'busy'
  | 'too_many_connections'
  | 'upgrade_required'
  | 'not_found'
  | 'internal'
  // The widget (routes/embed.ts)
  | 'forbidden_site'
  | 'identity_disabled'
  | 'guests_disabled'
  | 'token_invalid'
  | 'token_expired'
  | 'too_many_guests'

/** One of the user's live sessions as the API shows it: never its secret token. Times in ms since the epoch. */
export const SessionInfoSchema = Type.Object({
  id: Type.String(),
  createdAt: Type.Integer(),
  lastActive: Type.Integer(),
  address: Type.String(),
  browser: Type.String(),
  current: Type.Boolean()
})
export type SessionInfo = Static<typeof SessionInfoSchema>

export const SessionListSchema = Type.Object({ sessions: Type.Array(SessionInfoSchema) })
export type SessionList = Static<typeof SessionListSchema>

/** A session's public id: 12 random bytes, base64url. */
export const SessionIdParamsSchema = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' }) },
  { additionalProperties: false }
)

export const EndedSchema = Type.Object({ ended: Type.Integer({ minimum: 0 }) })
export type Ended = Static<typeof EndedSchema>

export const PasswordChangeSchema = Type.Object(
  {
    oldPassword: Type.String({ maxLength: 1024 }),
    newPassword: Type.String({ maxLength: 1024 })
  },
  { additionalProperties: false }
)
export type PasswordChange = Static<typeof PasswordChangeSchema>

/** The embedding site, as the widget iframe sees its parent (location.ancestorOrigins). */
const Site = Type.String({ maxLength: 256 })
export const EmbedLoginSchema = Type.Object(
  { site: Site, username: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false }
)
export const EmbedIdentitySchema = Type.Object({ site: Site, token: Type.String({ maxLength: 1024 }) }, { additionalProperties: false })
export const EmbedGuestSchema = Type.Object({ site: Site }, { additionalProperties: false })
/**
 * A widget session started: the name it chats under, a single-use ticket for /ws, and the rooms
 * the site owns (EMBED_ROOMS; empty: the site has none, its widget opens the lobby).
 */
export const EmbedSessionSchema = Type.Object({ username: Type.String(), ticket: Type.String(), guest: Type.Boolean(), rooms: Type.Array(Type.String()) })
/** The widget's start-up and reconnect check: no widget session is an answer (null), not an error. */
export const EmbedTicketSchema = Type.Object({ session: Type.Union([EmbedSessionSchema, Type.Null()]) })
