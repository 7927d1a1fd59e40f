// Desktop notifications and sound for messages out of view; asked for only after a click, remembered.
import { useSignal } from '@preact/signals'
import { askNotificationPermission, notificationsSupported, saveAlertPrefs } from '../alerts.ts'
import { useChatState } from '../state.ts'
import { t } from '../i18n/index.ts'

export function AlertSettings() {
  const state = useChatState()
  const problem = useSignal('')
  const prefs = state.alerts.value

  async function toggleNotify(event: Event) {
    const wanted = (event.currentTarget as HTMLInputElement).checked
    problem.value = ''
    const allowed = wanted ? await askNotificationPermission() : false
    if (wanted && !allowed) problem.value = t('alerts.blocked')
    state.alerts.value = { ...state.alerts.value, notify: allowed }
    saveAlertPrefs(state.alerts.value)
  }

  function toggleSound(event: Event) {
    state.alerts.value = { ...state.alerts.value, sound: (event.currentTarget as HTMLInputElement).checked }
    saveAlertPrefs(state.alerts.value)
  }

  return (
    <fieldset class="alert-settings">
      <legend class="pane__title">{t('alerts.legend')}</legend>
      {notificationsSupported() && (
        <label class="check">
          <input type="checkbox" checked={prefs.notify} onChange={toggleNotify} data-testid="alerts-notify" />
          {t('alerts.notify')}
        </label>
      )}
      <label class="check">
        <input type="checkbox" checked={prefs.sound} onChange={toggleSound} data-testid="alerts-sound" />
        {t('alerts.sound')}
      </label>
      <p class="form-error" role="alert">{problem.value}</p>
    </fieldset>
  )
}
