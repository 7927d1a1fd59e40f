// End to end in headless Chromium, issue 7: axe-core finds 0 violations on every view at desktop size.
import { axeEveryView } from '../helpers/axe-views.js'

axeEveryView('desktop')
