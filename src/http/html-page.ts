import type { Response } from 'express';

/**
 * The service's few server-rendered pages (the visitor's meeting pages, the booking page, the
 * calendar connect result, the demo): one escape for every interpolated value, one look, and
 * one way to send them.
 */

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function pageLayout(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;' +
    'line-height:1.5;color:#1b1b1f}button,a.button{font:inherit;padding:.45rem .9rem;margin:.2rem;' +
    'border:1px solid #445;border-radius:.4rem;background:#fff;cursor:pointer;color:inherit;' +
    'text-decoration:none;display:inline-block}button.primary{background:#1d4ed8;color:#fff;' +
    'border-color:#1d4ed8}form{display:inline}h2{font-size:1rem;margin:1.2rem 0 .3rem}' +
    '.note{padding:.6rem .8rem;background:#fef3c7;border-radius:.4rem}</style>' +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

export function messagePage(title: string, text: string): string {
  return pageLayout(title, `<p>${escapeHtml(text)}</p>`);
}

/**
 * Sends a page. `Referrer-Policy: same-origin` (helmet's default is no-referrer): under
 * no-referrer a browser sends `Origin: null` with a form POST, and the chat's origin check
 * (chat-public-cors.ts) would refuse the page's own forms.
 */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.type('html').send(html);
}
