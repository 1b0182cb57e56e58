import type { SlotOffer } from './slot-picker.js';

/**
 * What the conversation needs from the screen. widget-view.ts draws it in the browser; node
 * tests script it. Every string passed here is plain text (the view uses textContent).
 */

export interface FormField {
  label: string;
  type: 'text' | 'email';
  autocomplete: string;
  /** What the field starts with, e.g. the email the visitor already gave. */
  value?: string;
}

/**
 * Gets the trimmed answers in field order; returns the message to show under the form, or
 * null when they are accepted.
 */
export type FormCheck = (answers: string[]) => Promise<string | null>;

/** The visitor's pick in a slot picker: a slot's start, or the next days. */
export type SlotPick = { start: string } | 'later';

/** The ways a visitor answers, in the reply area or inside a meeting card. */
export interface AnswerControls {
  /** Offers buttons; resolves with the index of the one chosen. */
  choose(labels: string[]): Promise<number>;
  /** Shows days and their times as buttons. */
  pickSlot(offer: SlotOffer): Promise<SlotPick>;
}

/** The booked meeting as the visitor sees it; links are http(s) only (the view checks). */
export interface MeetingCard {
  title: string;
  lines: string[];
  links: Array<{ label: string; href: string }>;
  /** Button labels; a click calls the card's `onAction` with the index. */
  actions: string[];
  /** A refusal to show (role=alert). */
  note?: string;
}

export interface MeetingCardView extends AnswerControls {
  /** Redraws the card with new content (its answer area is kept). */
  show(card: MeetingCard): void;
}

export interface ChatView extends AnswerControls {
  /** Shows the launcher; resolves the first time the visitor opens the panel. */
  showLauncher(): Promise<void>;
  say(from: 'bot' | 'visitor', text: string): void;
  typing(on: boolean): void;
  /**
   * Shows a form; resolves with the trimmed answers once `check` accepts them, or null when
   * the visitor presses the `back` button (shown only when a label is given).
   */
  fillIn(
    fields: FormField[],
    submitLabel: string,
    check: FormCheck,
    back?: string,
  ): Promise<string[] | null>;
  /** Adds a meeting card to the conversation. */
  showMeeting(card: MeetingCard, onAction: (index: number) => void): MeetingCardView;
}
