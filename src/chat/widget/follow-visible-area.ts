import { FULL_SCREEN_UNDER_PX, placeHost } from './visible-area.js';

/**
 * Lays `host` over what the screen shows now and after every change, and marks `root` with the
 * `full` class in full-screen mode. Without the Visual Viewport API (browsers before 2019-2021)
 * the host fills the layout viewport, and the window's size decides full screen.
 */
export function followVisibleArea(host: HTMLElement, root: HTMLElement): void {
  const view = window.visualViewport;
  const set = (name: string, value: string) => host.style.setProperty(name, value, 'important');
  const place = () => {
    let fullScreen: boolean;
    if (view) {
      const at = placeHost({
        left: view.offsetLeft,
        top: view.offsetTop,
        width: view.width,
        height: view.height,
        scale: view.scale,
      });
      set('left', `${at.left}px`);
      set('top', `${at.top}px`);
      set('width', `${at.width}px`);
      set('height', `${at.height}px`);
      set('transform', at.transform);
      fullScreen = at.fullScreen;
    } else {
      for (const edge of ['left', 'top', 'right', 'bottom']) set(edge, '0');
      fullScreen = Math.min(window.innerWidth, window.innerHeight) <= FULL_SCREEN_UNDER_PX;
    }
    root.classList.toggle('full', fullScreen);
  };
  for (const [name, value] of [
    ['position', 'fixed'],
    ['z-index', '2147483000'],
    ['margin', '0'],
    ['transform-origin', '0 0'],
    // The host covers the screen; only the launcher and the panel take taps and clicks.
    ['pointer-events', 'none'],
  ] as const)
    set(name, value);
  place();
  view?.addEventListener('resize', place);
  view?.addEventListener('scroll', place);
  window.addEventListener('resize', place);
}
