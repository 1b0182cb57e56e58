/**
 * Keeps the widget over the part of the page the screen shows. `position:fixed` places an
 * element in the layout viewport, and on a phone the layout viewport grows past the screen when
 * a site's page is wider than the phone (a wide table, a long code line): the browser zooms out,
 * or shows only its top-left corner, and a fixed launcher or full-screen panel then sits partly
 * off screen. The visual viewport is what the screen shows (CSSOM View, "The VisualViewport
 * interface"; https://developer.mozilla.org/docs/Web/API/Visual_Viewport_API): its offsets are
 * from the layout viewport, its size and `scale` in the page's CSS pixels. The host is laid
 * over it (follow-visible-area.ts does, on its `resize` and `scroll` events); this file is the
 * DOM-free rule.
 */

/** What the screen shows, in the page's CSS pixels, from the layout viewport's top left. */
export interface VisibleArea {
  left: number;
  top: number;
  width: number;
  height: number;
  /** The pinch zoom: under 1 when the browser zoomed out to show a wide page. */
  scale: number;
}

/** Where the widget's host goes, in the page's CSS pixels, and how it is drawn. */
export interface HostPlacement {
  left: number;
  top: number;
  /** The widget's own size, in its pixels (screen pixels when the page is zoomed out). */
  width: number;
  height: number;
  /** `scale(1/zoom)` when the page is zoomed out, so the chat keeps its size on screen. */
  transform: string;
  /** Whether the open panel fills the area: a phone, or a window under 480 px either way. */
  fullScreen: boolean;
}

/** The width or height under which chat panels on phones take the whole screen. */
export const FULL_SCREEN_UNDER_PX = 480;

/**
 * A page zoomed out (scale < 1) would shrink the chat with it; it is drawn at the screen's size
 * instead. A page the visitor zoomed into (scale > 1) enlarges the chat too, as zoom is meant
 * to (WCAG 2.2, 1.4.4 Resize Text), and the panel reflows into the smaller area.
 */
export function placeHost(area: VisibleArea): HostPlacement {
  const zoom = area.scale > 0 && area.scale < 1 ? area.scale : 1;
  const width = area.width * zoom;
  const height = area.height * zoom;
  return {
    left: area.left,
    top: area.top,
    width,
    height,
    transform: zoom === 1 ? 'none' : `scale(${1 / zoom})`,
    fullScreen: width <= FULL_SCREEN_UNDER_PX || height <= FULL_SCREEN_UNDER_PX,
  };
}
