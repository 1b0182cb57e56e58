import type { ChatStore } from '../store/types.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';

/**
 * The look and feel until an admin saves one: neutral colours, the launcher bottom right, a
 * one-second typing delay, and the widget allowed on localhost and 127.0.0.1 (any port, see
 * domain-lists.ts) so that the demo page works out of the box. Chat starts enabled, but no
 * dialogue shows until one is published.
 */
export function createDefaultConfiguration(): ChatConfiguration {
  return {
    chatEnabled: true,
    style: {
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
      fontSizePx: 14,
      colours: {
        primary: '#1473e6',
        background: '#ffffff',
        text: '#2c2c2c',
        botBubble: '#f1f3f4',
        visitorBubble: '#1473e6',
      },
      launcher: { position: 'bottom-right', paddingPx: 20 },
    },
    bot: {
      name: 'Assistant',
      headerLabel: 'Chat with us',
      avatar: null,
      responseDelaySeconds: 1,
      notificationSound: true,
    },
    privacyPolicyUrl: null,
    allowedDomains: ['localhost', '127.0.0.1'],
    blockedEmailDomains: [],
  };
}

/** The saved configuration, or the defaults when none has been saved. */
export async function currentChatConfiguration(
  store: Pick<ChatStore, 'getChatConfiguration'>,
): Promise<ChatConfiguration> {
  return (await store.getChatConfiguration()) ?? createDefaultConfiguration();
}
