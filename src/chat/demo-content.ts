import type { DialogueContent } from '../records/chat-dialogue.js';
import { createDialogue, publishDialogue, type DialogueAdminDeps } from './dialogue-admin.js';

/**
 * The welcome dialogue of sandbox mode, so that a fresh clone shows the widget working on
 * /demo with no setup: a greeting with a lead token and its default, a question that branches
 * to pricing (a goal and email capture) or to a demo booking.
 */
export const DEMO_DIALOGUE: DialogueContent = {
  name: 'Website welcome (demo)',
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: ['*'], exclude: [] },
  priority: 10,
  start: 'hello',
  cards: [
    {
      id: 'hello',
      type: 'message',
      text: 'Hi {{lead.firstName:"there"}}! Welcome to Acme Analytics.',
      next: 'ask',
    },
    {
      id: 'ask',
      type: 'question',
      text: 'What brings you here today?',
      buttons: [
        { label: 'See pricing', value: 'pricing', next: 'pricing' },
        { label: 'Book a demo', value: 'demo', next: 'demo' },
        { label: 'Just browsing', value: 'browsing', next: 'bye' },
      ],
    },
    {
      id: 'pricing',
      type: 'message',
      text: 'Our Team plan starts at $49 per month.',
      next: 'goal',
    },
    { id: 'goal', type: 'goal', name: 'Saw pricing', next: 'email' },
    {
      id: 'email',
      type: 'email',
      text: 'Where can we send the full price list?',
      field: 'email',
      next: 'thanks',
    },
    { id: 'thanks', type: 'message', text: 'Thanks! The price list is on its way.', next: null },
    {
      id: 'demo',
      type: 'booking',
      text: "Let's find a time for your demo.",
      routing: 'round-robin',
      // The demo agents also offer a 15-minute intro (seed-agents.ts); this card books the demo.
      meetingTypes: ['demo'],
      next: 'booked',
    },
    {
      id: 'booked',
      type: 'message',
      text: 'Thanks! See you at the demo.',
      next: null,
    },
    { id: 'bye', type: 'message', text: 'Enjoy the tour! I am here if you need me.', next: null },
  ],
};

/** Creates and publishes the demo dialogue when the store has no dialogue at all. */
export async function seedDemoChat(deps: DialogueAdminDeps): Promise<void> {
  if ((await deps.store.listDialogues()).length > 0) return;
  const dialogue = await createDialogue(deps, DEMO_DIALOGUE);
  await publishDialogue(deps, dialogue.id);
  deps.logger.info({ dialogueId: dialogue.id }, 'sandbox mode: published the demo dialogue');
}
