// Log in or create an account; after registering, logs in at once. Errors show under the form.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { ApiRequestError } from '../api.ts'
import {
  checkPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_PROBLEM,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PROBLEMS,
  usernameProblem
} from '../../lib/credentials.ts'
import { useChatState } from '../state.ts'
import { Notice } from './Notice.tsx'

const MESSAGES: Partial<Record<string, string>> = {
  username_taken: 'That username is taken',
  invalid_credentials: 'Wrong username or password.',
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
  network: 'Could not reach the server. Please try again.'
}

function describe(err: unknown): string {
  if (!(err instanceof ApiRequestError)) return 'Something went wrong. Please try again.'
  if (err.code === 'internal') return 'Something went wrong on the server. Please try again.'
  return MESSAGES[err.code] ?? err.message
}

export function LoginView() {
  const state = useChatState()
  const actions = useActions()
  const mode = useSignal<'login' | 'register'>('login')
  const username = useSignal('')
  const password = useSignal('')
  const error = useSignal('')
  const busy = useSignal(false)
  const registering = mode.value === 'register'

  // The server's own rules, checked here first so a mistake is explained without a round trip.
  function localProblem(name: string): string {
    const problem = usernameProblem(name)
    if (problem) return USERNAME_PROBLEMS[problem]
    return checkPassword(password.value, name) ? PASSWORD_PROBLEM : ''
  }

  async function onSubmit(event: SubmitEvent) {
    event.preventDefault()
    if (busy.value) return
    const name = username.value.trim()
    // Logging in skips the rules: names registered under older rules still log in.
    error.value = registering ? localProblem(name) : ''
    if (error.value) return
    busy.value = true
    try {
      const act = registering ? actions.register : actions.login
      await act(name, password.value)
    } catch (err) {
      error.value = describe(err)
      busy.value = false
    }
  }

  function toggleMode() {
    mode.value = registering ? 'login' : 'register'
    error.value = ''
  }

  return (
    <main class="login" data-testid="login-view">
      <form class="card login__form" onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title" class="login__title">Parley</h1>
        <p class="login__subtitle">{registering ? 'Create an account' : 'Log in to chat'}</p>
        {state.loginNotice.value && (
          <Notice kind="info" testid="login-notice">{state.loginNotice.value}</Notice>
        )}
        <label class="field" for="login-username">
          <span class="field__label">Username</span>
          <input id="login-username" name="username" data-testid="login-username" required
            autocomplete="username" autocapitalize="none" spellcheck={false} maxLength={USERNAME_MAX_LENGTH * 2}
            value={username.value} onInput={(e) => (username.value = e.currentTarget.value)} />
        </label>
        <label class="field" for="login-password">
          <span class="field__label">Password</span>
          <input id="login-password" name="password" type="password" data-testid="login-password"
            required autocomplete={registering ? 'new-password' : 'current-password'} maxLength={PASSWORD_MAX_LENGTH * 2}
            value={password.value} onInput={(e) => (password.value = e.currentTarget.value)} />
        </label>
        {registering && (
          <p class="field__hint">
            {USERNAME_MIN_LENGTH}-{USERNAME_MAX_LENGTH} letters of one script, digits, _ . or -; password{' '}
            {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters.
          </p>
        )}
        <p class="form-error" role="alert" data-testid="login-error">{error.value}</p>
        <button type="submit" class="button button--primary" data-testid="login-submit" disabled={busy.value}>
          {registering ? 'Create account' : 'Log in'}
        </button>
        <button type="button" class="button button--link" data-testid="login-mode-toggle" onClick={toggleMode}>
          {registering ? 'I have an account: log in' : 'New here? Create an account'}
        </button>
      </form>
    </main>
  )
}
