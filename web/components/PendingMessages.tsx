// Our messages not confirmed by the server yet: waiting (offline or behind a rate limit), sending,
// or clearly marked "Not sent" with Retry, Edit and Discard. Never silently dropped.
import { useActions } from '../actions.ts'
import type { OutboxEntry } from '../outbox.ts'
import { t } from '../i18n/index.ts'

export function PendingMessages({ entries }: { entries: readonly OutboxEntry[] }) {
  const actions = useActions()
  return (
    <>
      {entries.map((e) => {
        const failed = e.status === 'failed'
        return (
          <li key={e.cid} class={failed ? 'pending pending--failed' : 'pending'}
            data-testid={failed ? 'unsent-message' : 'pending-message'}>
            <p class="message__text">{e.text}</p>
            <p class="pending__status" role={failed ? 'alert' : undefined}>
              {failed ? t('pending.notSent', { reason: e.reason ?? t('pending.unknown') }) : t(e.status === 'sending' ? 'pending.sending' : 'pending.waiting')}
            </p>
            {failed && (
              <div class="pending__actions">
                <button type="button" class="button button--small" data-testid="unsent-retry" onClick={() => actions.retryMessage(e.cid)}>
                  {t('pending.retry')}
                </button>
                <button type="button" class="button button--small" data-testid="unsent-edit" onClick={() => actions.editMessage(e.cid)}>
                  {t('pending.edit')}
                </button>
                <button type="button" class="button button--small" data-testid="unsent-discard" onClick={() => actions.discardMessage(e.cid)}>
                  {t('pending.discard')}
                </button>
              </div>
            )}
          </li>
        )
      })}
    </>
  )
}
