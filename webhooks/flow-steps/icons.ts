/**
 * The icons of GET /brandIcon (Service Providers menu) and GET /serviceIcon (flow palette):
 * `image/*` per the SPI. SVG, as Adobe's sample serves (mkto-flow-lookup brandIcon).
 */
const frame = (body: string) =>
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
  `<rect width="64" height="64" rx="12" fill="#1b5fd9"/>${body}</svg>`;

/** A chat bubble: the product. */
export const BRAND_ICON_SVG = frame(
  '<path d="M14 18h36a4 4 0 0 1 4 4v18a4 4 0 0 1-4 4H30l-10 8v-8h-6a4 4 0 0 1-4-4V22a4 4 0 0 1 4-4z" fill="#fff"/>' +
    '<circle cx="23" cy="31" r="3" fill="#1b5fd9"/><circle cx="32" cy="31" r="3" fill="#1b5fd9"/>' +
    '<circle cx="41" cy="31" r="3" fill="#1b5fd9"/>',
);

/** A person and an arrow: a lead routed to an agent. */
export const SERVICE_ICON_SVG = frame(
  '<circle cx="24" cy="24" r="8" fill="#fff"/>' +
    '<path d="M10 50c0-9 6-14 14-14s14 5 14 14z" fill="#fff"/>' +
    '<path d="M40 30h10M45 25l5 5-5 5" stroke="#fff" stroke-width="4" fill="none" ' +
    'stroke-linecap="round" stroke-linejoin="round"/>',
);
