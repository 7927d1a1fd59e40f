// Styles of the launcher and panel, adopted by the widget's shadow root (constructable
// stylesheet: no <style> element or style attribute for a strict host CSP to block).
export const WIDGET_CSS = `
/* !important inside the shadow root beats the host page's !important on the host element. */
:host { all: initial !important; }
.wrap { --accent: #2f5fd0; position: fixed; bottom: 20px; z-index: 2147483000;
  font: 16px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
.wrap.right { right: 20px; }
.wrap.left { left: 20px; }
.launcher { position: relative; width: 56px; height: 56px; border: 0; border-radius: 50%;
  background: var(--accent); color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgb(0 0 0 / 25%);
  display: grid; place-items: center; padding: 0; }
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.launcher:focus-visible { outline: 3px solid #111; outline-offset: 3px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  box-sizing: border-box; border-radius: 11px; background: #c62828; color: #fff; font-size: 12px;
  font-weight: 700; line-height: 22px; text-align: center; }
.badge[hidden], .panel[hidden] { display: none; }
.panel { position: absolute; bottom: 72px; width: 380px; height: min(600px, calc(100vh - 112px));
  border-radius: 12px; overflow: hidden; background: #fff; box-shadow: 0 8px 32px rgb(0 0 0 / 30%); }
.wrap.right .panel { right: 0; }
.wrap.left .panel { left: 0; }
.panel iframe { width: 100%; height: 100%; border: 0; display: block; }
@media (max-width: 480px) {
  .wrap.open { inset: 0; }
  .wrap.open .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  .wrap.open .launcher { display: none; }
}
`
