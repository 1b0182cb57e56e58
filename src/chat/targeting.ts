import { explainAudience, type VisitorLead } from './audience.js';
import type { Dialogue } from '../records/chat-dialogue.js';
import { matchesUrlPattern } from './url-pattern.js';

/** What targeting needs of a dialogue; `Dialogue` (the stored one) is one. */
export type TargetableDialogue = Pick<Dialogue, 'id' | 'enabled' | 'published'> & {
  /** Names a dialogue that was never published, in the reasons. */
  draft?: { name: string };
};

export interface TargetingInput<D extends TargetableDialogue> {
  dialogues: readonly D[];
  /** The global "Chat Enabled" switch. */
  chatEnabled: boolean;
  pageUrl: string;
  /** The visitor's synced lead fields, or undefined when anonymous. */
  lead: VisitorLead;
  /**
   * Dialogues to pass over for this visitor, with the reason, e.g. `{ d1: 'already completed' }`
   * (Dynamic Chat never shows a completed dialogue again, marketo-facts.md §7.2).
   */
  skip?: Readonly<Record<string, string>>;
}

export interface TargetingReason {
  dialogueId: string;
  name: string;
  shown: boolean;
  reason: string;
}

export interface TargetingResult<D extends TargetableDialogue> {
  chosen: D | null;
  /** One per dialogue, in the order given. */
  reasons: TargetingReason[];
}

/**
 * Which dialogue a visitor sees on a page, and why each other one is not shown (the admin
 * preview, and the public endpoint's decision). A dialogue qualifies when chat is enabled,
 * it is published and switched on, the page matches one of its target patterns and none of
 * its exclusions, and the visitor is in its audience; only the published version counts.
 *
 * The highest priority among the qualifying ones wins (Dynamic Chat's rule). Ties go to the
 * dialogue published first, then to the smaller id, so the answer never depends on the
 * order the dialogues come in.
 */
export function selectDialogue<D extends TargetableDialogue>(
  input: TargetingInput<D>,
): TargetingResult<D> {
  const verdicts = input.dialogues.map((dialogue) => ({
    dialogue,
    name: dialogue.published?.content.name ?? dialogue.draft?.name ?? dialogue.id,
    miss: whyNotShown(dialogue, input),
  }));
  const qualifying = verdicts
    .filter((verdict) => verdict.miss === undefined)
    .map((verdict) => verdict.dialogue as Published<D>)
    .sort(byPrecedence);
  const winner = qualifying[0];

  const reasons = verdicts.map(({ dialogue, name, miss }): TargetingReason => {
    if (miss !== undefined) return { dialogueId: dialogue.id, name, shown: false, reason: miss };
    if (dialogue === winner) {
      return {
        dialogueId: dialogue.id,
        name,
        shown: true,
        reason:
          qualifying.length === 1
            ? 'shown: the only dialogue that matches'
            : `shown: highest priority (${winner.published.content.priority}) of ${qualifying.length} matching dialogues`,
      };
    }
    return {
      dialogueId: dialogue.id,
      name,
      shown: false,
      reason: outranked(dialogue as Published<D>, winner!),
    };
  });
  return { chosen: winner ?? null, reasons };
}

type Published<D extends TargetableDialogue> = D & { published: NonNullable<D['published']> };

function whyNotShown(
  dialogue: TargetableDialogue,
  input: TargetingInput<TargetableDialogue>,
): string | undefined {
  if (!input.chatEnabled) return 'chat disabled';
  const published = dialogue.published;
  if (published === null) return 'not published';
  if (!dialogue.enabled) return 'dialogue switched off';
  const skipped = input.skip?.[dialogue.id];
  if (skipped !== undefined) return skipped;
  const { pages, audience } = published.content;
  if (!pages.include.some((pattern) => matchesUrlPattern(pattern, input.pageUrl))) {
    return 'page not targeted';
  }
  const exclusion = pages.exclude.find((pattern) => matchesUrlPattern(pattern, input.pageUrl));
  if (exclusion !== undefined) return `page excluded (${exclusion})`;
  const verdict = explainAudience(audience, input.lead);
  return verdict.matched ? undefined : verdict.reason;
}

/** Higher priority first; then published earlier; then the smaller id. */
function byPrecedence(a: Published<TargetableDialogue>, b: Published<TargetableDialogue>): number {
  return (
    b.published.content.priority - a.published.content.priority ||
    compareText(a.published.publishedAt, b.published.publishedAt) ||
    compareText(a.id, b.id)
  );
}

function outranked(
  loser: Published<TargetableDialogue>,
  winner: Published<TargetableDialogue>,
): string {
  const name = JSON.stringify(winner.published.content.name);
  const mine = loser.published.content.priority;
  const theirs = winner.published.content.priority;
  if (mine < theirs) return `lower priority than ${name} (${mine} < ${theirs})`;
  if (compareText(winner.published.publishedAt, loser.published.publishedAt) < 0) {
    return `same priority as ${name} (${mine}), which was published earlier`;
  }
  return `same priority as ${name} (${mine}) and published at the same time; ${name} has the smaller id`;
}

/** Code-unit order, not locale order: the same on every machine. ISO times sort as text. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
