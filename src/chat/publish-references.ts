import type { LeadFieldDescription } from '../clients/marketo/types.js';
import type { Agent } from '../records/meeting-contract.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import { findMalformedLeadTokens, leadTokenFields, renderLeadTokens } from './lead-tokens.js';
import { checkCardFields } from './publish-fields.js';
import type { PublishProblem } from './publish-validation.js';

/**
 * What a dialogue names outside itself, checked against this instance before publishing: the
 * lead fields it reads (conditions, tokens) against the fields the local copy holds
 * (SYNC_FIELDS), and the agents its booking cards name against the agents. Errors stop the
 * publish; warnings go back in its answer. The line between them: an error is something that
 * would fail for every visitor, silently; a warning is a state the admin may mean, or fix later
 * without touching the dialogue.
 *
 * Errors:
 * - the lead fields of condition and answer cards (publish-fields.ts);
 * - a condition on a field that is not synced: the local copy never has it, so every visitor
 *   counts as having it empty (`equals` never holds, `isEmpty` always does);
 * - a token for a field that is not synced and has no default: "Hi !" for everyone;
 * - a token of another object (`{{company.name}}`, `{{my.token}}`): only lead tokens are
 *   filled in, so visitors would read it as typed;
 * - a booking card routed to an agent that does not exist: every booking would be refused.
 *
 * Warnings:
 * - a token for a field that is not synced but has a default: the text reads well, it is just
 *   never personalised;
 * - a booking card's agent who is switched off, or whose calendar is disconnected: no times
 *   are offered until the agent is back, which the admin fixes on the agent, not in the dialogue.
 */

export interface PublishContext {
  /** The lead fields the local copy holds (SYNC_FIELDS). */
  syncedFields: readonly string[];
  /** The agent a booking card names, looked up as a booking does (by email, any case). */
  findAgentByEmail(email: string): Agent | undefined;
  /**
   * The lead fields Marketo describes, for the fields answers are written to; undefined when
   * Marketo could not be asked (then their names are checked, with a warning).
   */
  leadFields?: readonly LeadFieldDescription[] | undefined;
}

export interface ReferenceCheck {
  problems: PublishProblem[];
  warnings: PublishProblem[];
}

/** Any `{{...}}`: lead tokens, malformed ones, and tokens of other objects. */
const ANY_TOKEN = /\{\{[^{}]*\}\}/g;
const LEAD_TOKEN_START = /^\{\{\s*lead\./;

export function checkReferences(content: DialogueContent, ctx: PublishContext): ReferenceCheck {
  const check: ReferenceCheck = { problems: [], warnings: [] };
  const isSynced = createSyncedFieldTest(ctx.syncedFields);
  const synced = ctx.syncedFields.join(', ');
  content.audience.groups.forEach((group, g) => {
    group.conditions.forEach((condition, k) => {
      if (isSynced(condition.field)) return;
      check.problems.push({
        field: `audience.groups.${g}.conditions.${k}.field`,
        message:
          `${condition.field} is not a synced lead field (SYNC_FIELDS: ${synced}), so every ` +
          'visitor would count as having it empty: add it to SYNC_FIELDS or change the condition',
      });
    });
  });
  // Labels and translations take tokens too (dialogue-personalise.ts renders them), malformed
  // ones included; card texts' malformed tokens are the structural check's.
  const checkText = (text: string, field: string) => {
    for (const token of findMalformedLeadTokens(text)) {
      check.problems.push({ field, message: `the lead token ${token} is malformed` });
    }
    checkTokens(text, field, isSynced, synced, check);
  };
  content.cards.forEach((card, i) => {
    if ('text' in card) checkTokens(card.text, `cards.${i}.text`, isSynced, synced, check);
    if (card.type === 'question') {
      card.buttons.forEach((button, j) => checkText(button.label, `cards.${i}.buttons.${j}.label`));
    }
    if (card.type === 'form') {
      card.fields.forEach((f, j) => checkText(f.label, `cards.${i}.fields.${j}.label`));
    }
    if (card.type === 'booking') checkBookingAgent(card, `cards.${i}.agentEmail`, ctx, check);
  });
  for (const [language, byCard] of Object.entries(content.translations ?? {})) {
    for (const [cardId, translation] of Object.entries(byCard)) {
      const path = `translations.${language}.${cardId}`;
      if (translation.text !== undefined) checkText(translation.text, `${path}.text`);
      translation.labels?.forEach((label, j) => checkText(label, `${path}.labels.${j}`));
    }
  }
  const fields = checkCardFields(content, { isSynced, synced, leadFields: ctx.leadFields });
  check.problems.push(...fields.problems);
  check.warnings.push(...fields.warnings);
  return check;
}

/** Field names compare as the audience and the tokens read them: in any case. */
function createSyncedFieldTest(syncedFields: readonly string[]): (field: string) => boolean {
  const names = new Set(syncedFields.map((field) => field.toLowerCase()));
  return (field) => names.has(field.toLowerCase());
}

function checkTokens(
  text: string,
  field: string,
  isSynced: (field: string) => boolean,
  synced: string,
  check: ReferenceCheck,
): void {
  for (const [token] of text.matchAll(ANY_TOKEN)) {
    const [name] = leadTokenFields(token);
    if (name === undefined) {
      // A malformed lead token is the structural check's to report.
      if (LEAD_TOKEN_START.test(token)) continue;
      check.problems.push({
        field,
        message: `${token} is not a token this chat fills in (only {{lead.field}} tokens are): visitors would see it as typed`,
      });
      continue;
    }
    // Dynamic Chat's names with a `lead` prefix read the field without it (lead-tokens.ts).
    const alias = /^lead[A-Z]/.test(name) ? name[4]!.toLowerCase() + name.slice(5) : name;
    if (isSynced(name) || isSynced(alias)) continue;
    const fallback = renderLeadTokens(token, undefined);
    const unsynced = `${token} reads ${name}, which is not a synced lead field (SYNC_FIELDS: ${synced})`;
    if (fallback === '') {
      check.problems.push({
        field,
        message: `${unsynced}: it would be empty for every visitor`,
      });
    } else {
      check.warnings.push({
        field,
        message: `${unsynced}: every visitor sees the default "${fallback}"`,
      });
    }
  }
}

/** A booking card routed to one agent: round robin picks among whoever is active at the time. */
function checkBookingAgent(
  card: Extract<DialogueContent['cards'][number], { type: 'booking' }>,
  field: string,
  ctx: PublishContext,
  check: ReferenceCheck,
): void {
  // Without an email the structural check (publish-validation.ts) reports the card.
  if (card.routing !== 'agent' || card.agentEmail === undefined) return;
  const agent = ctx.findAgentByEmail(card.agentEmail);
  if (agent === undefined) {
    check.problems.push({
      field,
      message: `no agent has the email ${card.agentEmail}: every booking would be refused (add the agent, or route round robin)`,
    });
  } else if (!agent.active) {
    check.warnings.push({
      field,
      message: `the agent ${agent.name} is switched off: no times are offered until they are active`,
    });
  } else if (agent.calendar.status !== 'connected') {
    check.warnings.push({
      field,
      message: `the calendar of ${agent.name} is disconnected: no times are offered until it is connected again`,
    });
  }
}
