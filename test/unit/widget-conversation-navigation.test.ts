import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/records/chat-cards.js';
import { BYE, dialogueOf, LIST, PAPER, QUALIFY, setup } from '../helpers/widget-player-script.js';

/** Back, start over and a reload, through the player with a scripted view. */

describe('conversation navigation', () => {
  it('when the visitor goes back, then the previous question is asked again with the later answers forgotten', async () => {
    const t = setup(QUALIFY, ['back', ['0612345678'], 'back', ['+33612345678'], 2]);
    await t.play();
    expect(t.lines).toEqual([
      'bot: Your phone number?',
      // Nothing answered yet: back is not offered, and a click on it changes nothing.
      '(back not offered)',
      'visitor: 0612345678',
      'bot: How many people?',
      '(back)',
      '(reset)',
      'bot: Your phone number?',
      'visitor: +33612345678',
      'bot: How many people?',
      '(chose 100+)',
      'visitor: 100+',
      'bot: Thanks!',
    ]);
    expect(t.memory.conversation('dlg-qualify')?.answers).toEqual({
      phone: '+33612345678',
      size: '100+',
    });
  });

  it('when an action was sent, then going back stops there', async () => {
    const ask: Card = {
      id: 'q',
      type: 'question',
      text: 'More?',
      buttons: [{ label: 'Yes', next: 'list2' }],
    };
    const list2: Card = { ...LIST, id: 'list2', next: 'q2' } as Card;
    const q2: Card = { ...ask, id: 'q2', text: 'Sure?', buttons: [{ label: 'Yes', next: 'bye' }] };
    const t = setup(dialogueOf('q', [ask, list2, q2, BYE]), [0, 'back', 0]);
    await t.play();
    expect(t.lines).toContain('(back not offered)');
    expect(t.sent.filter((e) => e.type === 'action-reached')).toHaveLength(1);
  });

  it('when the visitor starts over, then the conversation plays from its first card with nothing answered', async () => {
    const t = setup(QUALIFY, [['0612345678'], 'restart', ['0698765432'], 0]);
    const { picked } = await t.play();
    expect(t.lines.slice(0, 6)).toEqual([
      'bot: Your phone number?',
      'visitor: 0612345678',
      'bot: How many people?',
      '(restart)',
      '(reset)',
      'bot: Your phone number?',
    ]);
    expect(t.memory.conversation('dlg-qualify')).toMatchObject({
      conversationId: picked.record.conversationId,
      completed: true,
      answers: { phone: '0698765432', size: 'small' },
    });
  });

  it('when the page reloads after the document, then the document link comes back with the transcript', async () => {
    const useful: Card = {
      id: 'q',
      type: 'question',
      text: 'Useful?',
      buttons: [{ label: 'Yes', next: null }],
    };
    const t = setup(dialogueOf('paper', [{ ...PAPER, next: 'q' } as Card, useful]), []);
    await expect(t.play()).rejects.toThrow(/out of steps/);
    expect(t.memory.conversation('dlg-qualify')?.transcript).toEqual([
      {
        from: 'bot',
        text: 'Here is our guide.',
        document: {
          cardId: 'paper',
          title: 'The guide (PDF)',
          url: 'https://acme.example/guide.pdf',
        },
      },
      { from: 'bot', text: 'Useful?' },
    ]);
    t.lines.length = 0;
    await expect(t.play()).rejects.toThrow(/out of steps/);
    expect(t.lines).toEqual([
      'bot: Here is our guide.',
      '(document The guide (PDF) https://acme.example/guide.pdf)',
      'bot: Useful?',
    ]);
  });
});
