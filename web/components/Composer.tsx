// The message input: drafting works offline (the message waits and goes out once reconnected); the
// counter shows from 80 % of the limit; the notices (rate limit, length, idle) sit just above it.
import { useRef } from 'preact/hooks'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { ComposerNotices } from './ComposerNotices.tsx'
import { t } from '../i18n/index.ts'

/** The counter appears from this share of the limit, amber, and turns red from WARN_RED. */
const SHOW_COUNTER = 0.8
const WARN_RED = 0.95
/** Longer room names stay out of the placeholder, which would be cut on a 320 px screen (the header names the room). */
const PLACEHOLDER_ROOM_MAX = 10

const placeholder = (room: string) => (room.length <= PLACEHOLDER_ROOM_MAX ? t('composer.placeholderRoom', { room }) : t('composer.placeholder'))

export function Composer() {
  const state = useChatState()
  const actions = useActions()
  const inputRef = useRef<HTMLInputElement>(null)
  const wait = useCountdown(state.rateLimitedUntil.value)
  const room = state.room.value
  const max = state.maxChars.value
  const length = state.draftLength.value

  function onSubmit(event: SubmitEvent) {
    event.preventDefault()
    // Enter submits the form too: refuse here as the disabled button does.
    if (actions.send()) inputRef.current?.focus()
  }

  function onInput(event: Event) {
    state.draft.value = (event.currentTarget as HTMLInputElement).value
    if (state.composerError.value) actions.dismissError()
    actions.typing()
  }

  const share = max > 0 ? length / max : 0
  const showCounter = max > 0 && share >= SHOW_COUNTER
  const counterClass = `composer__counter${share > 1 || share >= WARN_RED ? ' composer__counter--red' : share >= SHOW_COUNTER ? ' composer__counter--amber' : ''}`
  return (
    <form class="composer" data-testid="composer" onSubmit={onSubmit}>
      <ComposerNotices />
      <div class="composer__row">
        <label class="visually-hidden" for="composer-input">{t('composer.label')}</label>
        <input ref={inputRef} id="composer-input" class="composer__input" data-testid="composer-input"
          type="text" autocomplete="off" enterkeyhint="send" disabled={!room}
          placeholder={room ? placeholder(room.name) : t('composer.noRoom')}
          value={state.draft.value} onInput={onInput}
          aria-invalid={state.overLimit.value} aria-describedby="composer-counter-text composer-error" />
        {/* Seen as "42/50", read as "42 of 50 characters" (aria-label on a plain span is not allowed: axe aria-prohibited-attr). */}
        <span class={counterClass} id="composer-counter" data-testid="composer-counter" aria-hidden="true"
          hidden={!showCounter}>
          {max > 0 ? `${length}/${max}` : ''}
        </span>
        <span class="visually-hidden" id="composer-counter-text" data-testid="composer-counter-text">
          {showCounter ? t('composer.counter', { length, max }) : ''}
        </span>
        <button type="submit" class="button button--primary composer__send" data-testid="composer-send"
          disabled={!state.canSend.value}>
          {wait > 0 ? t('composer.sendWait', { seconds: wait }) : t('composer.send')}
        </button>
      </div>
    </form>
  )
}
