// Optional alerts for messages that arrive out of view: a desktop notification (permission asked only
// after a click) and a short beep. The choice is remembered per browser (localStorage).
import { t } from './i18n/index.ts'

export interface AlertPrefs {
  notify: boolean
  sound: boolean
}

const KEY = 'parley.alerts'
const OFF: AlertPrefs = { notify: false, sound: false }

export function loadAlertPrefs(): AlertPrefs {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<AlertPrefs> | null
    return { notify: saved?.notify === true, sound: saved?.sound === true }
  } catch {
    return OFF
  }
}

export function saveAlertPrefs(prefs: AlertPrefs) {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs))
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

export const notificationsSupported = () => typeof Notification !== 'undefined'

/** Asks for permission (call it from a click); true when notifications may be shown. */
export async function askNotificationPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false
  if (Notification.permission === 'granted') return true
  return (await Notification.requestPermission()) === 'granted'
}

let audio: AudioContext | null = null

function beep() {
  audio ??= new AudioContext()
  const osc = audio.createOscillator()
  const gain = audio.createGain()
  osc.frequency.value = 880
  gain.gain.setValueAtTime(0.08, audio.currentTime)
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25)
  osc.connect(gain).connect(audio.destination)
  osc.start()
  osc.stop(audio.currentTime + 0.25)
}

/** Alerts for one message, as the preferences say. The text is passed as text, never markup. */
export function alertMessage(prefs: AlertPrefs, room: string, user: string, text: string) {
  if (prefs.sound) {
    try {
      beep()
    } catch {
      // No audio output: nothing to do.
    }
  }
  if (prefs.notify && notificationsSupported() && Notification.permission === 'granted') {
    new Notification(t('alerts.title', { user, room }), { body: text.length > 140 ? text.slice(0, 139) + '…' : text, tag: `parley-${room}` })
  }
}
