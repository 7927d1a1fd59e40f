// Join or create a room by name; a refusal (full, missing, exists, too fast) shows under the field.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { t } from '../i18n/index.ts'

export function RoomForm() {
  const state = useChatState()
  const actions = useActions()
  const name = useSignal('')

  function submit(event: SubmitEvent) {
    event.preventDefault()
    const create = (event.submitter as HTMLButtonElement | null)?.value === 'create'
    if ((create ? actions.createRoom : actions.joinRoom)(name.value)) name.value = ''
  }

  return (
    <form class="room-form" onSubmit={submit} data-testid="room-form">
      <label class="field" for="room-name">
        <span class="field__label">{t('roomForm.name')}</span>
        <input id="room-name" data-testid="room-name" value={name.value} maxLength={32} required
          pattern="[a-z0-9\-]{1,32}" autocapitalize="none" autocomplete="off" spellcheck={false}
          aria-describedby="room-error" onInput={(e) => (name.value = e.currentTarget.value.toLowerCase())} />
      </label>
      <div class="room-form__buttons">
        <button type="submit" class="button" value="join" data-testid="room-join">{t('roomForm.join')}</button>
        <button type="submit" class="button" value="create" data-testid="room-create">{t('roomForm.create')}</button>
      </div>
      <p class="form-error" id="room-error" role="alert" data-testid="room-error">{state.roomError.value}</p>
    </form>
  )
}
