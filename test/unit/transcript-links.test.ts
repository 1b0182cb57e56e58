import { describe, expect, it } from 'vitest';
import { createTranscriptLinks } from '../../src/transcripts/transcript-links.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const DAY = 24 * 3_600_000;
const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);

function partsOf(url: string) {
  const parsed = new URL(url);
  return {
    id: decodeURIComponent(parsed.pathname.split('/').at(-1)!),
    expires: parsed.searchParams.get('expires')!,
    signature: parsed.searchParams.get('signature')!,
  };
}

describe('transcript links', () => {
  const links = createTranscriptLinks({
    secrets: [NEW],
    publicBaseUrl: 'https://chat.example.com/',
    ttlMs: 90 * DAY,
  });

  it('when a link is made, then it points at the page, and verifies until it expires', () => {
    const url = links.url('conv-0001', NOW);
    expect(url).toMatch(
      /^https:\/\/chat\.example\.com\/transcripts\/conv-0001\?expires=\d+&signature=[\w-]{43}$/,
    );
    const { id, expires, signature } = partsOf(url);
    expect(links.verify(id, expires, signature, NOW)).toBe(true);
    expect(links.verify(id, expires, signature, NOW + 90 * DAY - 1)).toBe(true);
    expect(links.verify(id, expires, signature, NOW + 90 * DAY)).toBe(false);
  });

  it.each([
    ['another conversation', (p: ReturnType<typeof partsOf>) => ({ ...p, id: 'conv-0002' })],
    [
      'a later expiry',
      (p: ReturnType<typeof partsOf>) => ({ ...p, expires: String(Number(p.expires) + 1) }),
    ],
    [
      'an altered signature',
      (p: ReturnType<typeof partsOf>) => ({
        ...p,
        signature: `${p.signature.slice(0, -1)}${p.signature.endsWith('A') ? 'B' : 'A'}`,
      }),
    ],
    ['a short signature', (p: ReturnType<typeof partsOf>) => ({ ...p, signature: 'abc' })],
    ['no expiry', (p: ReturnType<typeof partsOf>) => ({ ...p, expires: '' })],
    ['a negative expiry', (p: ReturnType<typeof partsOf>) => ({ ...p, expires: '-1' })],
  ])('when a link has %s, then it does not verify', (_label, change) => {
    const changed = change(partsOf(links.url('conv-0001', NOW)));
    expect(links.verify(changed.id, changed.expires, changed.signature, NOW)).toBe(false);
  });

  it('when the secret is rotated, then links made under the previous one still verify, and a link of another service does not', () => {
    const before = createTranscriptLinks({
      secrets: [OLD],
      publicBaseUrl: 'https://x',
      ttlMs: DAY,
    });
    const after = createTranscriptLinks({
      secrets: [NEW, OLD],
      publicBaseUrl: 'https://x',
      ttlMs: DAY,
    });
    const old = partsOf(before.url('conv-0001', NOW));
    expect(after.verify(old.id, old.expires, old.signature, NOW)).toBe(true);
    expect(links.verify(old.id, old.expires, old.signature, NOW)).toBe(false);
  });
});
