import type { SlotOffer } from './slot-picker.js';

/**
 * What the conversation needs from the screen. widget-view.ts draws it in the browser; node
 * tests script it. Every string passed here is plain text (the view uses textContent).
 */

export interface FormField {
  label: string;
  /** `select` offers `options`; numbers are text with a numeric keyboard (answer-check decides). */
  type: 'text' | 'email' | 'tel' | 'number' | 'select';
  autocomplete: string;
  /** What the field starts with, e.g. the email the visitor already gave. */
  value?: string;
  /** The label is read by screen readers only (the question above says it already). */
  hideLabel?: boolean;
  placeholder?: string;
  /** false: the field may stay empty. */
  required?: boolean;
  /** A select's choices: the label shown, the value answered. */
  options?: Array<{ label: string; value: string }>;
}

/** A refusal: under the form, or under one field (its index). */
export type FormProblem = string | { message: string; field: number };

/**
 * Gets the trimmed answers in field order; returns the problem to show, or null when they are
 * accepted.
 */
export type FormCheck = (answers: string[]) => Promise<FormProblem | null>;

/** The visitor's ways around the conversation, besides answering. */
export type Navigation = 'back' | 'restart';

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
  /** Shows the launcher (or the pop-up, or the inline panel); resolves when the panel opens. */
  showLauncher(): Promise<void>;
  /** Opens the panel (a flow opened again by the page). */
  open(): void;
  /** Empties the conversation and the answer area (start over, back). */
  reset(): void;
  /** A document card's link; `onOpen` runs when the visitor opens it. */
  showDocument(title: string, url: string, onOpen: () => void): void;
  /** "Start over" and "back" call `go`; back is offered only while `canGoBack(true)`. */
  navigate(go: (to: Navigation) => void): void;
  canGoBack(on: boolean): void;
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
