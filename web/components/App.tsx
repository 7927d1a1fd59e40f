// The page shell: a loading line, the login view or the chat, depending on the session.
import { useChatState } from '../state.ts'
import { ChatView } from './ChatView.tsx'
import { LoginView } from './LoginView.tsx'
import { t } from '../i18n/index.ts'

export function App() {
  const state = useChatState()
  switch (state.view.value) {
    case 'loading':
      return (
        <main class="loading" data-testid="loading" aria-busy="true">
          <p>{t('app.loading')}</p>
        </main>
      )
    case 'login':
      return <LoginView />
    case 'chat':
      return <ChatView />
  }
}
