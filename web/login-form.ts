// The login form's checks and answers, DOM-free: the server's own rules (lib/credentials.ts) before
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
} from '../lib/credentials.ts'
import { ApiRequestError } from './api.ts'

export type LoginMode = 'login' | 'register'

/** What is wrong, per field; `wait` is shown with the seconds left ("Too many attempts. Try again in 12 s."). */
export interface FormErrors {
  username?: string
  password?: string
  form?: string
  wait?: string
}

/** The hints shown under each field while registering (the login takes any name that once was valid). */
export const HINTS = {
  username: `${USERNAME_MIN_LENGTH}-${USERNAME_MAX_LENGTH} characters: letters of one script, digits, _ . or -.`,
  password: `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters, not your username.`
} as const

/** The fields' problems before anything is sent; empty when the form may be submitted. */
export function checkForm(mode: LoginMode, username: string, password: string): FormErrors {
  const errors: FormErrors = {}
  if (username === '') errors.username = 'Enter your username.'
  if (password === '') errors.password = 'Enter your password.'
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
  if (!(err instanceof ApiRequestError)) return { form: 'Something went wrong. Please try again.' }
  switch (err.code) {
    case 'invalid_username':
    case 'username_taken':
      return { username: err.code === 'username_taken' ? 'That username is taken.' : err.message }
    case 'invalid_password':
      return { password: err.message }
    case 'invalid_credentials':
      return { form: 'Wrong username or password.' }
    case 'rate_limited':
      return err.retryAfterMs > 0 ? { wait: 'Too many attempts.' } : { form: 'Too many attempts. Please wait and try again.' }
    case 'busy':
      return err.retryAfterMs > 0 ? { wait: 'The server is busy.' } : { form: 'The server is busy. Please try again.' }
    case 'network':
      return { form: 'Could not reach the server. Please try again.' }
    case 'internal':
      return { form: 'Something went wrong on the server. Please try again.' }
    default:
      return { form: err.message }
  }
}
