// A labelled input with one message line below it: the error when there is one, else the hint. Both
// are tied to the input (aria-describedby); the line is as high as the longest text it may show
// (invisible copies in the same grid cell), so an error moves nothing, in any font or width.
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
  /** Every text the line may show (hint and errors): it keeps room for the longest. */
  reserve?: string[]
  inputRef?: Ref<HTMLInputElement>
  /** Beside the input (the show-password button). */
  after?: ComponentChildren
}

export function Field({ id, label, hint = '', error = '', reserve = [], inputRef, after, onInput, type = 'text', ...input }: FieldProps) {
  return (
    <div class="field">
      <label class="field__label" for={id}>{label}</label>
      <div class="field__row">
        <input {...input} {...(type === 'password' ? { type: 'password' } : { type: 'text' })} id={id} ref={inputRef} data-testid={id} required spellcheck={false}
          onInput={(e) => onInput(e.currentTarget.value)} aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-error ${id}-hint`} />
        {after}
      </div>
      <div class="field__message">
        {reserve.map((text) => <p class="field__reserve" aria-hidden="true">{text}</p>)}
        <p class="field__error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>
        <p class="field__hint" id={`${id}-hint`} data-testid={`${id}-hint`} hidden={error !== ''}>{hint}</p>
      </div>
    </div>
  )
}
