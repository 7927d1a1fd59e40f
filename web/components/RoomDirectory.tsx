// The other rooms on the server (answer to `rooms`), each with its online count and a Join button.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { t } from '../i18n/index.ts'

export function RoomDirectory() {
  const state = useChatState()
  const actions = useActions()
  const mine = new Set(state.rooms.value.map((r) => r.name))
  const others = state.directory.value.filter((r) => !mine.has(r.name))
  return (
    <section class="directory" aria-labelledby="directory-title">
      <div class="directory__head">
        <h2 class="pane__title" id="directory-title">{t('directory.title')}</h2>
        <button type="button" class="button button--small" onClick={() => actions.refreshRooms()}
          disabled={state.link.value !== 'open'} data-testid="rooms-refresh">
          {t('directory.refresh')}
        </button>
      </div>
      {others.length === 0 ? (
        <p class="pane__empty">{t('directory.none')}</p>
      ) : (
        <ul class="rooms">
          {others.map((r) => (
            <li key={r.name} class="directory__room">
              <span class="room__name">#{r.name}</span>
              <span class="room__online">{r.online}/{r.cap}</span>
              <button type="button" class="button button--small" aria-label={t('directory.joinRoom', { room: r.name })}
                data-testid="directory-join" onClick={() => actions.joinRoom(r.name)}>
                {t('directory.join')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
