// An inline question before a step that would lose text (log out, leave a room): the question, the
// step itself and "Stay", which gets the focus (the safe answer is one key press away).
import { useEffect, useRef } from 'preact/hooks'
import { t } from '../i18n/index.ts'

interface ConfirmBarProps {
  /** Prefix of the ids and test ids: `${name}-confirm`, `-yes`, `-no`, `${name}-question`. */
  name: string
  question: string
  yes: string
  busy?: boolean
  onYes(): void
  onNo(): void
}

export function ConfirmBar({ name, question, yes, busy = false, onYes, onNo }: ConfirmBarProps) {
  const stay = useRef<HTMLButtonElement>(null)
  useEffect(() => stay.current?.focus(), [])
  return (
    <div class="confirm" role="alertdialog" aria-labelledby={`${name}-question`} data-testid={`${name}-confirm`}>
      <span id={`${name}-question`}>{question}</span>
      <button type="button" class="button button--danger" data-testid={`${name}-confirm-yes`} onClick={onYes} disabled={busy}>
        {yes}
      </button>
      <button type="button" class="button" ref={stay} data-testid={`${name}-confirm-no`} onClick={onNo}>
        {t('confirm.stay')}
      </button>
    </div>
  )
}
