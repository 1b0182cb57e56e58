import { describe, expect, it } from 'vitest';
import {
  LOOKUP_REFUSED,
  createGuardedAgent,
} from '../../src/clients/ssfs-callback/guarded-lookup.js';
import {
  checkCallbackUrl,
  isForbiddenAddress,
  verifyCallbackTarget,
  type HostResolver,
} from '../../src/outbox/callback-url-guard.js';

const HOSTS = [
  '*.marketo.com',
  '*.adobe.io',
  'callbacks.example.net',
  '127.0.0.1:8443',
  'relay.internal:8080',
];

describe('checkCallbackUrl', () => {
  it.each([
    ['https://mkto-cfa.marketo.com/customflowaction/submit', true, false],
    ['https://MKTO-CFA.Marketo.COM./x', true, false],
    ['https://a.b.adobe.io/cb?x=1', true, false],
    ['https://callbacks.example.net/cb', true, false],
    ['https://mkto-cfa.marketo.com:443/x', true, false],
    // host:port entries are trusted as written: http and loopback allowed, that port only
    ['https://127.0.0.1:8443/cb', true, true],
    ['http://127.0.0.1:8443/cb', true, true],
    ['http://relay.internal:8080/cb', true, true],
  ])('when the URL is %s, then it is accepted (trusted as written: %s)', (url, ok, trusted) => {
    const check = checkCallbackUrl(url, HOSTS);
    expect(check.ok).toBe(ok);
    expect(check.ok && check.trustedAsWritten).toBe(trusted);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'https'],
    ['https://169.254.169.254/latest/meta-data/', 'private'],
    ['https://127.0.0.1/', 'private'],
    ['https://127.0.0.1:9999/', 'private'],
    ['https://2130706433/', 'private'],
    ['https://0x7f.0.0.1/', 'private'],
    ['https://10.0.0.1/', 'private'],
    ['https://172.16.5.4/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://100.64.0.1/', 'private'],
    ['https://0.0.0.0/', 'private'],
    ['https://[::1]/', 'private'],
    ['https://[::]/', 'private'],
    ['https://[fe80::1]/', 'private'],
    ['https://[fd00::1]/', 'private'],
    ['https://[::ffff:127.0.0.1]/', 'private'],
    ['https://[::ffff:8.8.8.8]/', 'private'],
    ['https://evil.example/', 'allowed callback host'],
    ['https://marketo.com/', 'allowed callback host'],
    ['https://marketo.com.evil.example/', 'allowed callback host'],
    ['https://evilmarketo.com/', 'allowed callback host'],
    ['https://mkto-cfa.marketo.com:8443/x', 'allowed callback host'],
    ['http://mkto-cfa.marketo.com/x', 'https'],
    ['ftp://mkto-cfa.marketo.com/x', 'https'],
    ['https://user:pass@mkto-cfa.marketo.com/x', 'credentials'],
    ['http://127.0.0.1:8444/cb', 'https'],
    ['not a url', 'not a URL'],
    [`https://mkto-cfa.marketo.com/${'a'.repeat(2100)}`, 'too long'],
  ])('when the URL is %s, then it is refused (%s)', (url, reason) => {
    const check = checkCallbackUrl(url, HOSTS);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toContain(reason);
  });
});

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.255.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.0.10', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['52.45.10.20', false],
    ['8.8.8.8', false],
    ['::1', true],
    ['::', true],
    ['fe80::abcd', true],
    ['fc00::1', true],
    ['fdff::1', true],
    ['::ffff:10.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['2002:a00:1::', true],
    ['ff02::1', true],
    ['2600:1f18::1', false],
    ['not-an-ip', true],
  ])('when the address is %s, then forbidden is %s', (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });
});

describe('verifyCallbackTarget', () => {
  const resolverOf =
    (answers: Record<string, string[]>): HostResolver =>
    async (host) => {
      const found = answers[host];
      if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return found;
    };

  it('when every address of the host is public, then the target is accepted', async () => {
    const resolve = resolverOf({ 'mkto-cfa.marketo.com': ['52.45.10.20', '2600:1f18::1'] });
    const check = await verifyCallbackTarget('https://mkto-cfa.marketo.com/cb', HOSTS, resolve);
    expect(check.ok).toBe(true);
  });

  it.each([['10.1.2.3'], ['169.254.169.254'], ['::1'], ['::ffff:192.168.0.1']])(
    'when one address of an allowed host is %s, then the target is refused',
    async (address) => {
      const resolve = resolverOf({ 'rebind.marketo.com': ['52.45.10.20', address] });
      const check = await verifyCallbackTarget('https://rebind.marketo.com/cb', HOSTS, resolve);
      expect(check).toEqual({ ok: false, reason: expect.stringContaining('resolves to') });
    },
  );

  it('when the entry is host:port, then no DNS check is made', async () => {
    const resolve: HostResolver = async () => {
      throw new Error('must not resolve');
    };
    const check = await verifyCallbackTarget('http://relay.internal:8080/cb', HOSTS, resolve);
    expect(check.ok).toBe(true);
  });

  it('when the name does not resolve, then the failure propagates (a transient error)', async () => {
    await expect(
      verifyCallbackTarget('https://gone.marketo.com/cb', HOSTS, resolverOf({})),
    ).rejects.toThrow('not found');
  });
});

describe('createGuardedAgent (connect-time check)', () => {
  type Lookup = (
    host: string,
    options: { all?: boolean; family?: number },
    cb: (err: NodeJS.ErrnoException | null, address: unknown, family?: number) => void,
  ) => void;
  const lookupOf = (resolve: HostResolver) =>
    (createGuardedAgent(resolve) as unknown as { options: { lookup: Lookup } }).options.lookup;
  const run = (lookup: Lookup, options: { all?: boolean }) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>(
      (resolve) =>
        lookup('cb.marketo.com', options, (err, address, family) =>
          resolve({ err, address, family }),
        ),
    );

  it('when the name resolves to public addresses, then the socket gets exactly those', async () => {
    const lookup = lookupOf(async () => ['52.45.10.20', '2600:1f18::1']);
    expect(await run(lookup, { all: true })).toMatchObject({
      err: null,
      address: [
        { address: '52.45.10.20', family: 4 },
        { address: '2600:1f18::1', family: 6 },
      ],
    });
    expect(await run(lookup, {})).toMatchObject({ err: null, address: '52.45.10.20', family: 4 });
  });

  it('when the name re-resolves to a private address at connect time, then the connection is refused', async () => {
    const lookup = lookupOf(async () => ['52.45.10.20', '169.254.169.254']);
    const { err } = await run(lookup, { all: true });
    expect(err?.code).toBe(LOOKUP_REFUSED);
  });
});
