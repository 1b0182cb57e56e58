import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeUrlPatternProblem, matchesUrlPattern } from '../../src/chat/url-pattern.js';

describe('matchesUrlPattern', () => {
  it.each([
    // exact pages, query and fragment ignored, trailing slash tolerated
    ['https://example.com/pricing', 'https://example.com/pricing', true],
    ['https://example.com/pricing', 'https://example.com/pricing/', true],
    ['https://example.com/pricing/', 'https://example.com/pricing', true],
    ['https://example.com/pricing', 'https://example.com/pricing?utm_source=ad#plans', true],
    ['https://example.com/pricing#plans', 'https://example.com/pricing', true],
    ['https://example.com/pricing', 'https://example.com/pricing/enterprise', false],
    ['https://example.com/pricing', 'https://example.com/pricingx', false],
    // home page only without a path
    ['https://example.com', 'https://example.com/', true],
    ['https://example.com', 'https://example.com', true],
    ['https://example.com', 'https://example.com/about', false],
    // host: case-insensitive; path: case-sensitive
    ['https://EXAMPLE.com/pricing', 'https://example.COM/pricing', true],
    ['https://example.com/Pricing', 'https://example.com/pricing', false],
    // scheme: given, it must match; left out, http and https both match
    ['https://example.com/a', 'http://example.com/a', false],
    ['HTTPS://example.com/a', 'https://example.com/a', true],
    ['example.com/a', 'http://example.com/a', true],
    ['example.com/a', 'https://example.com/a', true],
    ['//example.com/a', 'https://example.com/a', true],
    ['*://example.com/a', 'http://example.com/a', true],
    // folders: /* covers the folder itself and everything under it
    ['https://example.com/docs/*', 'https://example.com/docs', true],
    ['https://example.com/docs/*', 'https://example.com/docs/', true],
    ['https://example.com/docs/*', 'https://example.com/docs/a/b?x=1', true],
    ['https://example.com/docs/*', 'https://example.com/docsx', false],
    ['https://example.com/*', 'https://example.com', true],
    ['https://example.com/*', 'https://example.com/anything/at/all', true],
    ['https://example.com/blog*', 'https://example.com/blog-post', true],
    ['https://example.com/*/pricing', 'https://example.com/de/pricing', true],
    ['https://example.com/*/pricing', 'https://example.com/de/about', false],
    // subdomain wildcards: subdomains, not the apex (as CSP)
    ['https://*.example.com', 'https://www.example.com/', true],
    ['https://*.example.com/*', 'https://a.b.example.com/x', true],
    ['https://*.example.com/*', 'https://example.com/x', false],
    ['https://*.example.com/*', 'https://evilexample.com/x', false],
    ['https://*.example.com/*', 'https://example.com.evil.net/x', false],
    // ports: none means the default port
    ['http://localhost:3000/*', 'http://localhost:3000/demo', true],
    ['http://localhost/*', 'http://localhost:3000/demo', false],
    ['http://localhost:*/*', 'http://localhost:3000/demo', true],
    ['https://example.com:443/a', 'https://example.com/a', true],
    ['https://example.com/a', 'https://example.com:443/a', true],
    ['https://example.com:80/a', 'https://example.com/a', false],
    ['https://example.com:80/a', 'https://example.com:80/a', true],
    ['localhost:*/demo', 'http://localhost/demo', true],
    // a port is a number: leading zeros do not matter, as in a browser
    ['https://example.com:0443/pricing', 'https://example.com/pricing', true],
    ['http://example.com:080/pricing', 'http://example.com/pricing', true],
    ['http://localhost:03000/*', 'http://localhost:3000/demo', true],
    // a named port without a scheme, or with *, is the port the page is served from
    ['example.com:443/pricing', 'https://example.com/pricing', true],
    ['example.com:443/pricing', 'http://example.com:443/pricing', true],
    ['example.com:443/pricing', 'http://example.com/pricing', false],
    ['*://example.com:443/pricing', 'https://example.com/pricing', true],
    ['*://example.com:443/pricing', 'http://example.com/pricing', false],
    ['//example.com:80/pricing', 'http://example.com/pricing', true],
    ['*://example.com:80/pricing', 'https://example.com/pricing', false],
    ['*://*.example.com:8443/*', 'https://a.example.com:8443/x', true],
    // encoding and dot segments compare as URL normalises them
    ['https://example.com/a b/ü', 'https://example.com/a%20b/%C3%BC', true],
    ['https://example.com/a/../b', 'https://example.com/b', true],
    ['https://bücher.de/*', 'https://xn--bcher-kva.de/x', true],
    // regex characters in a pattern are literal
    ['https://example.com/a.b', 'https://example.com/aXb', false],
    ['https://example.com/(x)+', 'https://example.com/(x)+', true],
    // everything, and things that never match
    ['*', 'https://anything.example/x?y', true],
    ['https://example.com/*', 'ftp://example.com/x', false],
    ['https://example.com/*', 'not a url', false],
    ['/pricing', 'https://example.com/pricing', false],
  ])('pattern %s, page %s → %s', (pattern, url, expected) => {
    expect(matchesUrlPattern(pattern, url)).toBe(expected);
  });

  it('when a page URL becomes a pattern (scheme, host, path), then it matches that page with any query or fragment', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const url = new URL(raw);
        const pattern = `${url.protocol}//${url.host}${url.pathname}`;
        expect(matchesUrlPattern(pattern, raw)).toBe(true);
      }),
    );
  });

  it('when a pattern names the port a page is served from, written or not and with any scheme, then it matches that page', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.constantFrom('', '*:', 'http:', 'https:'), (raw, scheme) => {
        const url = new URL(raw);
        const port = url.port || (url.protocol === 'https:' ? '443' : '80');
        const pageScheme = scheme === 'http:' || scheme === 'https:' ? url.protocol : scheme;
        const pattern = `${pageScheme}//${url.hostname}:0${port}${url.pathname}`;
        expect(matchesUrlPattern(pattern, raw)).toBe(true);
      }),
    );
  });
});

describe('describeUrlPatternProblem', () => {
  it.each([
    ['https://example.com/*', undefined],
    ['*.example.com', undefined],
    ['localhost:3000/demo', undefined],
    ['https://example.com/a?b=1', 'cannot contain query parameters'],
    ['https:///pricing', 'has no host (write e.g. https://example.com/*)'],
    ['/pricing', 'has no host (write e.g. https://example.com/*)'],
    ['ftp://example.com/', 'has scheme "ftp"; pages are http or https'],
    ['https://exa mple.com', 'cannot contain spaces'],
    [
      'https://user@example.com/',
      'has host "user@example.com", which is not a host name (with an optional :port)',
    ],
    // Ports a page can have: 1 to 65535, or any.
    ['https://example.com:99999/*', 'has port 99999; a port is a number from 1 to 65535'],
    ['example.com:0/pricing', 'has port 0; a port is a number from 1 to 65535'],
    ['https://example.com:65535/*', undefined],
    ['https://example.com:0443/pricing', undefined],
    ['example.com:000/pricing', 'has port 000; a port is a number from 1 to 65535'],
    ['https://example.com:065536/*', 'has port 065536; a port is a number from 1 to 65535'],
    ['localhost:*/demo', undefined],
    // A path written without its site: it would only match a host of that name.
    [
      'pricing',
      '"pricing" is read as the host "pricing", not as a page; write the site too, e.g. https://example.com/pricing, or *://*/pricing for every site',
    ],
    [
      'docs/*',
      '"docs/*" is read as the host "docs", not as a page; write the site too, e.g. https://example.com/docs/*, or *://*/docs/* for every site',
    ],
    [
      'pricing.html',
      '"pricing.html" is read as the host "pricing.html", not as a page; write the site too, e.g. https://example.com/pricing.html, or *://*/pricing.html for every site',
    ],
    ['http://intranet/*', undefined],
    ['//intranet/pricing', undefined],
    ['*://*/pricing', undefined],
    ['*', undefined],
  ])('%s → %s', (pattern, problem) => {
    expect(describeUrlPatternProblem(pattern)).toBe(problem);
  });
});
