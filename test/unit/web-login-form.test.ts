// The login form's own checks (the server's rules, from lib/accounts/credentials.ts) and where refusals are shown.
import t from 'tap'
import { ApiRequestError } from '../../web/api.ts'
import { checkForm, explainRefusal, fieldMessages, hints } from '../../web/login-form.ts'
import { PASSWORD_PROBLEMS, USERNAME_PROBLEMS } from '../../lib/accounts/credentials.ts'

t.test('registering: each field gets the rule it breaks, before anything is sent', async (t) => {
  t.same(checkForm('register', 'al', 'correct horse'), { username: USERNAME_PROBLEMS.length })
  t.same(checkForm('register', 'ali ce', 'correct horse'), { username: USERNAME_PROBLEMS.characters })
  t.same(checkForm('register', 'pаypal', 'correct horse'), { username: USERNAME_PROBLEMS.mixed_scripts })
  t.same(checkForm('register', 'Admin', 'correct horse'), { username: USERNAME_PROBLEMS.reserved })
  t.same(checkForm('register', 'alice', 'short'), { password: PASSWORD_PROBLEMS.length })
  t.same(checkForm('register', 'alice_smith', 'ALICE_smith'), { password: PASSWORD_PROBLEMS.username })
  t.same(checkForm('register', '', ''), { username: 'Enter your username.', password: 'Enter your password.' })
  t.same(checkForm('register', 'alice', 'correct horse'), {})
})

t.test('logging in asks only for both fields (names valid under older rules still log in)', async (t) => {
  t.same(checkForm('login', 'al', 'x'), {})
  t.same(checkForm('login', '', 'x'), { username: 'Enter your username.' })
  t.same(checkForm('login', 'al', ''), { password: 'Enter your password.' })
})

t.test("refusals land on their field with the server's text; waits come with their seconds", async (t) => {
  const refusal = (status: number, code: any, message: string, retry = 0) => explainRefusal(new ApiRequestError(status, code, message, retry))
  t.same(refusal(400, 'invalid_username', USERNAME_PROBLEMS.script), { username: USERNAME_PROBLEMS.script })
  t.same(refusal(409, 'username_taken', 'x'), { username: 'That username is taken.' })
  t.same(refusal(400, 'invalid_password', PASSWORD_PROBLEMS.length), { password: PASSWORD_PROBLEMS.length })
  t.same(refusal(401, 'invalid_credentials', 'x'), { form: 'Wrong username or password.' })
  t.same(refusal(429, 'rate_limited', 'x', 12_000), { wait: 'Too many attempts.' })
  t.same(refusal(503, 'busy', 'x', 2000), { wait: 'The server is busy.' })
  t.same(refusal(0, 'network', 'x'), { form: 'Could not reach the server. Please try again.' })
  t.same(explainRefusal(new Error('boom')), { form: 'Something went wrong. Please try again.' })
})

t.test('the message lines keep room for every text they can show: the hint and each error of their field', async (t) => {
  const register = fieldMessages('register')
  for (const text of [...Object.values(USERNAME_PROBLEMS), 'Enter your username.', 'That username is taken.']) t.ok(register.username.includes(text), text)
  for (const text of [...Object.values(PASSWORD_PROBLEMS), 'Enter your password.']) t.ok(register.password.includes(text), text)
  t.ok(register.username.includes(hints().username) && register.password.includes(hints().password), 'the hints')
  t.same(fieldMessages('login'), { username: ['Enter your username.'], password: ['Enter your password.'] }, 'logging in checks only that both are given')
})
