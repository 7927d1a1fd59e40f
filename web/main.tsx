// Entry of the chat page: creates the state and its actions, renders the app into #app.
import { render } from 'preact'
import { ActionsContext, createActions } from './actions.ts'
import { App } from './components/App.tsx'
import { ChatStateContext, createChatState } from './state.ts'

const state = createChatState()
const actions = createActions(state)
const root = document.getElementById('app')
if (!root) throw new Error('index.html has no #app element')

render(
  <ChatStateContext.Provider value={state}>
    <ActionsContext.Provider value={actions}>
      <App />
    </ActionsContext.Provider>
  </ChatStateContext.Provider>,
  root
)
void actions.start()
