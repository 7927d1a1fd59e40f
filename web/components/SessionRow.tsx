// One session in the Sessions view: browser, address, times; "End" for every session but this one.
import type { SessionInfo } from '../../schemas/http.ts'

interface SessionRowProps {
  session: SessionInfo
  busy: boolean
  onEnd(id: string): void
}

const when = (ms: number) => new Date(ms).toLocaleString()

export function SessionRow({ session, busy, onEnd }: SessionRowProps) {
  return (
    <li class="session" data-testid="session-row" data-current={session.current ? 'true' : 'false'}>
      <div class="session__what">
        <span class="session__browser">{session.browser === 'other' ? 'Other browser' : session.browser}</span>
        <span class="session__address">{session.address}</span>
        {session.current && <span class="session__current" data-testid="session-current">This session</span>}
      </div>
      <div class="session__when">
        Signed in {when(session.createdAt)} · last active {when(session.lastActive)}
      </div>
      {!session.current && (
        <button type="button" class="button" data-testid="session-end" disabled={busy}
          onClick={() => onEnd(session.id)} aria-label={`End the ${session.browser} session from ${session.address}`}>
          End
        </button>
      )}
    </li>
  )
}
