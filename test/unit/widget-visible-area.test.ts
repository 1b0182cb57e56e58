import { describe, expect, it } from 'vitest';
import { placeHost } from '../../src/chat/widget/visible-area.js';

/** A box in the page's CSS pixels: left, top, width, height. */
type Box = [number, number, number, number];

const area = ([left, top, width, height]: Box, scale = 1) => ({ left, top, width, height, scale });

describe('placeHost', () => {
  it.each<[string, Box, number, Box, string, boolean]>([
    ['a phone showing a page that fits', [0, 0, 375, 667], 1, [0, 0, 375, 667], 'none', true],
    [
      'a phone showing part of a page wider than it, scrolled',
      [120, 900, 375, 667],
      1,
      [120, 900, 375, 667],
      'none',
      true,
    ],
    ['a desktop window', [0, 0, 1265, 800], 1, [0, 0, 1265, 800], 'none', false],
    [
      'a desktop window zoomed into twice (the chat grows with the zoom)',
      [300, 200, 640, 400],
      2,
      [300, 200, 640, 400],
      'none',
      true,
    ],
    ['a short landscape phone', [0, 0, 667, 375], 1, [0, 0, 667, 375], 'none', true],
  ])(
    'when the screen shows %s, then the host covers it',
    (_what, shown, scale, [left, top, width, height], transform, fullScreen) => {
      expect(placeHost(area(shown, scale))).toEqual({
        left,
        top,
        width,
        height,
        transform,
        fullScreen,
      });
    },
  );

  it('when a phone zoomed out to show a 980 px page, then the host covers what it shows at the screen’s size, scaled back up', () => {
    const placed = placeHost(area([0, 40, 980, (667 * 980) / 375], 375 / 980));
    expect(placed).toEqual({
      left: 0,
      top: 40,
      width: expect.closeTo(375, 6),
      height: expect.closeTo(667, 6),
      transform: expect.stringMatching(/^scale\(2\.6133\d*\)$/),
      fullScreen: true,
    });
  });
});
