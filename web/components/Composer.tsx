// The message input with its live n/max counter (grapheme clusters) and the composer errors.
import { useEffect, useRef } from 'preact/hooks'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'

export function Composer() {
  const state = useChatState()
  const actions = useActions()
  const inputRef = useRef<HTMLInputElement>(null)
  const limits = state.limits.value
  const error = state.composerError.value
  const open = state.link.value === 'open'

  // Ready to type as soon as the socket is (re)connected.
  useEffect(() => {
    if (open) inputRef.current?.focus()
  }, [open])

  function onSubmit(event: SubmitEvent) {
    event.preventDefault()
    // Enter submits the form too: refuse here as the disabled button does.
    if (actions.send()) inputRef.current?.focus()
  }

  function onInput(event: Event) {
    state.draft.value = (event.currentTarget as HTMLInputElement).value
    if (error) actions.dismissError()
  }

  const counterClass = state.overLimit.value ? 'composer__counter composer__counter--over' : 'composer__counter'
  return (
    <form class="composer" data-testid="composer" onSubmit={onSubmit}>
      <p class="composer__error" id="composer-error" role="alert" data-testid="composer-error">
        {error?.message ?? (state.overLimit.value ? `Messages can be at most ${state.maxChars.value} characters.` : '')}
      </p>
      <div class="composer__row">
        <label class="visually-hidden" for="composer-input">Message</label>
        <input ref={inputRef} id="composer-input" class="composer__input" data-testid="composer-input"
          type="text" autocomplete="off" placeholder="Write a message…" enterkeyhint="send"
          disabled={!open} value={state.draft.value} onInput={onInput}
          aria-invalid={state.overLimit.value} aria-describedby="composer-counter composer-error" />
        <span class={counterClass} id="composer-counter" data-testid="composer-counter"
          aria-label={limits ? `${state.draftLength.value} of ${limits.maxChars} characters` : undefined}>
          {limits ? `${state.draftLength.value}/${limits.maxChars}` : ''}
        </span>
        <button type="submit" class="button button--primary" data-testid="composer-send"
          disabled={!state.canSend.value}>
          Send
        </button>
      </div>
    </form>
  )
}
