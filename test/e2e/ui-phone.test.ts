// End to end in headless Chromium, issue 7: axe-core finds 0 violations on every view at phone size (360 px).
import { axeEveryView } from '../helpers/axe-views.js'

axeEveryView('phone')
