// Log in or create an account (then logged in at once). The server's rules are checked before
// sending; each error sits under its field, names the rule and clears on edit; nothing jumps.
import { useEffect, useRef } from 'preact/hooks'
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { PASSWORD_MAX_LENGTH, USERNAME_MAX_LENGTH } from '../../lib/accounts/credentials.ts'
import { ApiRequestError } from '../api.ts'
import { checkForm, explainRefusal, fieldMessages, hints, type FormErrors, type LoginMode } from '../login-form.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Field } from './Field.tsx'
import { Notice } from './Notice.tsx'
import { t } from '../i18n/index.ts'

export function LoginView() {
  const state = useChatState()
  const actions = useActions()
  const mode = useSignal<LoginMode>('login')
  const username = useSignal('')
  const password = useSignal('')
  const showPassword = useSignal(false)
  const errors = useSignal<FormErrors>({})
  const busy = useSignal(false)
  const waitUntil = useSignal(0)
  const wait = useCountdown(waitUntil.value)
  const usernameRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)
  const registering = mode.value === 'register'
  useEffect(() => usernameRef.current?.focus(), [])

  /**
   * Shows the errors and puts the cursor in the first field that has one; after a refusal of the
   * pair (wrong password, wait) in the password, selected, as the disabled button dropped the focus.
   */
  function report(found: FormErrors) {
    errors.value = found
    if (found.username) usernameRef.current?.focus()
    else if (found.password) passwordRef.current?.focus()
    else if (found.form || found.wait) {
      passwordRef.current?.focus()
      passwordRef.current?.select()
    }
  }

  async function onSubmit(event: SubmitEvent) {
    event.preventDefault()
    if (busy.value || wait > 0) return
    const name = username.value.trim()
    const found = checkForm(mode.value, name, password.value)
    report(found)
    if (found.username || found.password) return
    busy.value = true
    try {
      await (registering ? actions.register : actions.login)(name, password.value)
    } catch (err) {
      if (err instanceof ApiRequestError && err.retryAfterMs > 0) waitUntil.value = Date.now() + err.retryAfterMs
      busy.value = false
      report(explainRefusal(err))
    }
  }

  function edit(field: 'username' | 'password', value: string) {
    ;(field === 'username' ? username : password).value = value
    const { [field]: _fixed, form: _form, ...rest } = errors.value
    errors.value = rest
  }

  const { wait: waitText = '', form = '' } = errors.value
  const formText = waitText ? (wait > 0 ? t('login.tryAgainIn', { text: waitText, seconds: wait }) : '') : form
  const action = t(registering ? 'login.createAccount' : 'login.logIn')
  const reserve = fieldMessages(mode.value)
  return (
    <main class="login" data-testid="login-view">
      <form class="card login__form" onSubmit={onSubmit} aria-labelledby="login-title" noValidate aria-busy={busy.value}>
        <h1 id="login-title" class="login__title">
          <img class="brand-mark" src="/favicon.svg" alt="" width={32} height={32} />
          Parley
        </h1>
        <p class="login__subtitle">{t(registering ? 'login.subtitleRegister' : 'login.subtitle')}</p>
        {state.loginNotice.value && <Notice kind="info" testid="login-notice">{state.loginNotice.value}</Notice>}
        <Field id="login-username" name="username" label={t('login.username')} autocomplete="username" autocapitalize="none" maxLength={USERNAME_MAX_LENGTH * 2} inputRef={usernameRef}
          value={username.value} onInput={(v) => edit('username', v)}
          hint={registering ? hints().username : ''} error={errors.value.username} reserve={reserve.username} />
        <Field id="login-password" name="password" label={t('login.password')} type={showPassword.value ? 'text' : 'password'}
          autocomplete={registering ? 'new-password' : 'current-password'} maxLength={PASSWORD_MAX_LENGTH * 2}
          inputRef={passwordRef} value={password.value} onInput={(v) => edit('password', v)}
          hint={registering ? hints().password : ''} error={errors.value.password} reserve={reserve.password}
          after={
            <button type="button" class="button field__toggle" data-testid="show-password" aria-controls="login-password"
              onClick={() => (showPassword.value = !showPassword.value)}>
              {t(showPassword.value ? 'login.hide' : 'login.show')}<span class="visually-hidden">{` ${t('login.passwordWord')}`}</span>
            </button>
          } />
        <p class="login__error" role="alert" data-testid="login-error">{formText}</p>
        <button type="submit" class="button button--primary" data-testid="login-submit" disabled={busy.value || wait > 0}>
          {busy.value ? t(registering ? 'login.creating' : 'login.loggingIn') : wait > 0 ? t('login.withWait', { action, seconds: wait }) : action}
        </button>
        <button type="button" class="button button--link" data-testid="login-mode-toggle"
          onClick={() => { mode.value = registering ? 'login' : 'register'; errors.value = {} }}>
          {t(registering ? 'login.toLogin' : 'login.toRegister')}
        </button>
      </form>
    </main>
  )
}
