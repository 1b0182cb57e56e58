import { describe, expect, it } from 'vitest';
import { chatConfigurationSchema } from '../../src/records/chat-configuration.js';
import {
  createDefaultConfiguration,
  currentChatConfiguration,
} from '../../src/chat/default-configuration.js';
import { isAllowedSite, isBlockedEmail } from '../../src/chat/domain-lists.js';

describe('default configuration', () => {
  it('when nothing is saved, then the defaults are a valid configuration that allows localhost', async () => {
    const defaults = await currentChatConfiguration({
      getChatConfiguration: () => Promise.resolve(undefined),
    });
    expect(chatConfigurationSchema.parse(defaults)).toEqual(defaults);
    expect(defaults.chatEnabled).toBe(true);
    expect(isAllowedSite(defaults.allowedDomains, 'http://localhost:3000/demo')).toBe(true);
    expect(isAllowedSite(defaults.allowedDomains, 'http://127.0.0.1:8080/')).toBe(true);
    expect(isAllowedSite(defaults.allowedDomains, 'https://example.com/')).toBe(false);
  });

  it('when a caller changes the defaults it got, then the next caller still gets the defaults', () => {
    createDefaultConfiguration().allowedDomains.push('evil.example');
    expect(createDefaultConfiguration().allowedDomains).toEqual(['localhost', '127.0.0.1']);
  });

  it('when a configuration is saved, then it is the current one', async () => {
    const saved = { ...createDefaultConfiguration(), chatEnabled: false };
    expect(
      await currentChatConfiguration({ getChatConfiguration: () => Promise.resolve(saved) }),
    ).toBe(saved);
  });
});

describe('isAllowedSite', () => {
  it.each([
    [['example.com'], 'https://example.com/pricing', true],
    [['example.com'], 'https://EXAMPLE.com:8443/', true],
    [['example.com'], 'https://www.example.com/', false],
    [['*.example.com'], 'https://www.example.com/', true],
    [['*.example.com'], 'https://example.com/', false],
    [['*.example.com'], 'https://badexample.com/', false],
    [['localhost:3000'], 'http://localhost:3000/', true],
    [['localhost:3000'], 'http://localhost:4000/', false],
    [['example.com:443'], 'https://example.com/', true],
    [[], 'https://example.com/', false],
    [['example.com'], 'not a url', false],
    [['example.com'], 'ftp://example.com/', false],
  ])('%j allows %s: %s', (domains, url, expected) => {
    expect(isAllowedSite(domains, url)).toBe(expected);
  });
});

describe('isBlockedEmail', () => {
  it.each([
    [['gmail.com'], 'someone@gmail.com', true],
    [['gmail.com'], 'someone@GMAIL.COM', true],
    [['gmail.com'], 'someone@example.com', false],
    [['*.example.com'], 'a@mail.example.com', true],
    [['*.example.com'], 'a@example.com', false],
    [['gmail.com'], 'no-at-sign', false],
  ])('%j blocks %s: %s', (domains, email, expected) => {
    expect(isBlockedEmail(domains, email)).toBe(expected);
  });
});
