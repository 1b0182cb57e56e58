import { describe, expect, it } from 'vitest';
import { createManageLinks } from '../../src/meetings/manage-links.js';

const base = 'https://chat.example.com/';

describe('visitor manage links', () => {
  it('when a token is made, then it is 256 bits, stable per meeting, different per meeting, and its links use the public URL', () => {
    const links = createManageLinks({ secrets: ['secret-a'], publicBaseUrl: base });
    const token = links.token('m-1');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(links.token('m-1')).toBe(token);
    expect(links.token('m-2')).not.toBe(token);
    expect(links.urls(token).cancelUrl).toBe(
      `https://chat.example.com/chat/meetings/manage/${token}/cancel`,
    );
  });

  it('when the key is rotated, then a meeting booked before keeps its link while the previous key is configured', () => {
    const before = createManageLinks({ secrets: ['old-key'], publicBaseUrl: base });
    const oldToken = before.token('m-1');
    const storedHash = before.hash(oldToken);
    const after = createManageLinks({ secrets: ['new-key', 'old-key'], publicBaseUrl: base });
    expect(after.token('m-1', storedHash)).toBe(oldToken);
    expect(after.token('m-2')).not.toBe(before.token('m-2'));
    const dropped = createManageLinks({ secrets: ['new-key'], publicBaseUrl: base });
    expect(dropped.hash(dropped.token('m-1', storedHash))).not.toBe(storedHash);
  });
});
