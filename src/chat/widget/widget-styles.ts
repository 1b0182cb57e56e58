/**
 * The widget's stylesheet, scoped by its shadow root. Colours and font come from the chat
 * configuration as custom properties set through the CSSOM, so no configured value is ever
 * pasted into CSS text. Short names keep the bundle small: --f font, --s size, --p primary,
 * --op text on primary, --bg background, --t text, --b bot bubble, --v visitor bubble,
 * --ov text on the visitor bubble, --pd the launcher's distance from the viewport's edges.
 * Lines end in `\` (a line continuation) so no newline reaches the bundle.
 *
 * Placement: the host covers what the screen shows (visible-area.ts), not the layout viewport,
 * which grows past a phone's screen on a page wider than the phone; `.root` fills the host and
 * lets taps through to the page except on the launcher and the panel. The panel sits above the
 * launcher, `--pd` from the edges, so its size leaves out that distance and a margin (before,
 * 100vw - 24px clipped it with a padding over 12 px). In full-screen mode (`.full`: a phone, or
 * a window under 480 px either way) it takes the whole area, whatever the padding, as chat
 * panels on phones do, and the launcher hides under it (it would cover the answers; the header
 * has the close button). Inputs are at least 16 px there and on touch screens: iOS Safari zooms
 * the page into a focused input whose text is smaller, and does not zoom back.
 */
export const WIDGET_CSS = `\
:host{all:initial}\
*{box-sizing:border-box}\
.root{position:absolute;inset:0;pointer-events:none;font-family:var(--f);font-size:var(--s);line-height:1.4;color:var(--t)}\
button{font:inherit;cursor:pointer}\
.launcher{position:absolute;bottom:var(--pd);pointer-events:auto;width:56px;height:56px;border-radius:50%;border:0;padding:0;background:var(--p);color:var(--op);box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}\
img{border-radius:50%;object-fit:cover}\
.launcher img{width:100%;height:100%}\
.root :focus-visible{outline:3px solid var(--p);outline-offset:2px}\
.panel{position:absolute;bottom:calc(var(--pd) + 68px);width:min(360px,calc(100% - var(--pd) - 12px));height:min(540px,calc(100% - var(--pd) - 80px));pointer-events:auto;display:flex;flex-direction:column;background:var(--bg);border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}\
[hidden]{display:none!important}\
.panel:focus{outline:none}\
.right .panel,.right .launcher{right:var(--pd)}\
.left .panel,.left .launcher{left:var(--pd)}\
.popup .panel{left:50%;top:50%;right:auto;bottom:auto;transform:translate(-50%,-50%)}\
.inline{position:static;pointer-events:auto}\
.inline .panel{position:static;width:100%;height:min(540px,80vh)}\
.full .panel{inset:0;width:auto;height:auto;border-radius:0;transform:none}\
.full .panel:not([hidden])~.launcher{display:none}\
.head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--p);color:var(--op)}\
.head img{width:32px;height:32px}\
.head h2{flex:1;margin:0;font-size:1em;font-weight:600}\
.again{border:0;background:none;color:inherit;font-size:.8em;text-decoration:underline;padding:2px 6px}\
.back{align-self:flex-start;margin:0 12px 8px;font-size:.85em}\
.doc{color:inherit;font-weight:600}\
.close{border:0;background:none;color:inherit;font-size:1.4em;line-height:1;padding:2px 8px;border-radius:6px}\
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}\
.msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}\
.bot{align-self:flex-start;background:var(--b);color:var(--t);border-bottom-left-radius:4px}\
.visitor{align-self:flex-end;background:var(--v);color:var(--ov);border-bottom-right-radius:4px}\
.typing i{display:inline-block;width:6px;height:6px;margin:0 2px;border-radius:50%;background:currentColor;opacity:.35;animation:blink 1s infinite}\
.typing i:nth-child(3){animation-delay:.2s}\
.typing i:nth-child(4){animation-delay:.4s}\
@keyframes blink{50%{opacity:1}}\
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}\
.reply{display:flex;flex-wrap:wrap;gap:6px;padding:10px 12px;border-top:1px solid rgba(127,127,127,.25)}\
.reply:empty{display:none}\
.choices{display:contents}\
.choice{border:1px solid var(--p);background:transparent;color:var(--t);border-radius:16px;padding:6px 12px}\
.choice[aria-pressed=true]{background:var(--p);color:var(--op)}\
.slots{display:flex;flex-direction:column;gap:6px;width:100%}\
.days,.times,.acts{display:flex;flex-wrap:wrap;gap:6px}\
.days{flex-wrap:nowrap;overflow-x:auto;padding:3px}\
.days .choice{flex:none}\
.times{max-height:112px;overflow-y:auto;padding:3px}\
.cap,.note,.meeting p{margin:0;font-size:.85em}\
.meeting,.meeting>div{display:flex;flex-direction:column;align-items:flex-start;gap:6px}\
.meeting a{display:block;color:inherit}\
form{display:flex;flex-direction:column;gap:6px;width:100%}\
label{font-size:.85em}\
input,select{font:inherit;width:100%;padding:8px;border:1px solid #8a8a8a;border-radius:8px;color:#111;background:#fff}\
.full input,.full select{font-size:max(16px,1em)}\
@media (pointer:coarse){input,select{font-size:max(16px,1em)}}\
.send{border:0;border-radius:8px;padding:8px 12px;background:var(--p);color:var(--op)}\
.send:disabled{opacity:.6;cursor:progress}\
.error{margin:0;font-size:.85em;color:#b3261e;background:#fdecea;padding:4px 8px;border-radius:6px}\
.privacy{margin:0;padding:6px 12px;font-size:.75em;text-align:center}\
.privacy a{color:inherit}\
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function readableOn(hex: string): '#000000' | '#ffffff' {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is 1.05 / (L + 0.05); with black (L + 0.05) / 0.05; equal at L ≈ 0.179.
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
