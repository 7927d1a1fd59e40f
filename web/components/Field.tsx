// A labelled input with one message line below it: the error when there is one, else the hint. Both
// are tied to the input (aria-describedby); the line keeps its height, so an error moves nothing.
import type { ComponentChildren, Ref } from 'preact'

interface FieldProps {
  id: string
  name: string
  value: string
  onInput(value: string): void
  type?: 'text' | 'password'
  autocomplete: string
  maxLength: number
  autocapitalize?: 'none'
  label: string
  hint?: string
  error?: string
  /** Lines kept free for the hint or error (the longest one it can show). */
  lines?: 1 | 2 | 3
  inputRef?: Ref<HTMLInputElement>
  /** Beside the input (the show-password button). */
  after?: ComponentChildren
}

export function Field({ id, label, hint = '', error = '', lines = 1, inputRef, after, onInput, type = 'text', ...input }: FieldProps) {
  return (
    <div class="field">
      <label class="field__label" for={id}>{label}</label>
      <div class="field__row">
        <input {...input} {...(type === 'password' ? { type: 'password' } : { type: 'text' })} id={id} ref={inputRef} data-testid={id} required spellcheck={false}
          onInput={(e) => onInput(e.currentTarget.value)} aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-error ${id}-hint`} />
        {after}
      </div>
      <div class={`field__message field__message--${lines}`}>
        <p class="field__error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>
        <p class="field__hint" id={`${id}-hint`} data-testid={`${id}-hint`} hidden={error !== ''}>{hint}</p>
      </div>
    </div>
  )
}
