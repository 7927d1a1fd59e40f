// The login form's checks and answers, DOM-free: the server's own rules (lib/accounts/credentials.ts) before
// submitting, and each refusal of the API placed on the field it is about, naming the rule.
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_PROBLEMS,
  passwordProblem,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PROBLEMS,
  usernameProblem
} from '../lib/accounts/credentials.ts'
import { ApiRequestError } from './api.ts'
import { apiText, t } from './i18n/index.ts'

export type LoginMode = 'login' | 'register'

/** What is wrong, per field; `wait` is shown with the seconds left ("Too many attempts. Try again in 12 s."). */
export interface FormErrors {
  username?: string
  password?: string
  form?: string
  wait?: string
}

/** The hints shown under each field while registering (the login takes any name that once was valid). */
export const hints = () => ({
  username: t('login.hintUsername', { min: USERNAME_MIN_LENGTH, max: USERNAME_MAX_LENGTH }),
  password: t('login.hintPassword', { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH })
})

/**
 * Every text each field's message line can show in `mode`: its hint and each error checkForm or
 * explainRefusal can put there. The line keeps the height of the longest at the page's real width
 * and font, so an error moves nothing whatever the font (a line count fits one font only).
 */
export function fieldMessages(mode: LoginMode): { username: string[]; password: string[] } {
  if (mode === 'login') return { username: [t('form.enterUsername')], password: [t('form.enterPassword')] }
  const hint = hints()
  return {
    username: [hint.username, t('form.enterUsername'), t('form.taken'), ...Object.values(USERNAME_PROBLEMS)],
    password: [hint.password, t('form.enterPassword'), ...Object.values(PASSWORD_PROBLEMS)]
  }
}

/** The fields' problems before anything is sent; empty when the form may be submitted. */
export function checkForm(mode: LoginMode, username: string, password: string): FormErrors {
  const errors: FormErrors = {}
  if (username === '') errors.username = t('form.enterUsername')
  if (password === '') errors.password = t('form.enterPassword')
  // Logging in skips the rules: names registered under older rules still log in.
  if (mode === 'login') return errors
  const nameProblem = username === '' ? null : usernameProblem(username)
  if (nameProblem) errors.username = USERNAME_PROBLEMS[nameProblem]
  const passProblem = password === '' ? null : passwordProblem(password, username)
  if (passProblem) errors.password = PASSWORD_PROBLEMS[passProblem]
  return errors
}

/** Where an API refusal is shown and what it says; the wait (429, 503) comes from Retry-After. */
export function explainRefusal(err: unknown): FormErrors {
  if (!(err instanceof ApiRequestError)) return { form: t('form.unknown') }
  switch (err.code) {
    case 'invalid_username':
    case 'username_taken':
      return { username: err.code === 'username_taken' ? t('form.taken') : err.message }
    case 'invalid_password':
      return { password: err.message }
    case 'invalid_credentials':
      return { form: t('form.wrong') }
    case 'rate_limited':
      return err.retryAfterMs > 0 ? { wait: t('form.tooMany') } : { form: t('form.tooManyRetry') }
    case 'busy':
      return err.retryAfterMs > 0 ? { wait: t('form.busy') } : { form: t('form.busyRetry') }
    case 'network':
      return { form: t('form.network') }
    case 'internal':
      return { form: t('form.internal') }
    default:
      return { form: apiText(err.code, err.message) }
  }
}
