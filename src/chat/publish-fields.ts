import type { LeadFieldDescription } from '../clients/marketo/types.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import type { PublishProblem } from './publish-validation.js';

/**
 * The lead fields the conversation cards name, checked against this instance before publishing
 * (part of publish-references.ts's check):
 *
 * - a condition card's `lead` field must be synced (SYNC_FIELDS), as an audience's: the branch
 *   reads the local copy, which never holds another field, so it would read empty for everyone;
 * - a captured answer's `field` (input, form field, question) must be a lead field Marketo
 *   describes (Describe Lead, lead-field-catalog.ts) that the API may write: else every write
 *   of the answer fails in the outbox. Names compare exactly, as Sync Leads reads them. When
 *   Marketo could not be asked, the names' syntax (checked by the schema) is all: a warning.
 */
export function checkCardFields(
  content: DialogueContent,
  ctx: {
    isSynced: (field: string) => boolean;
    synced: string;
    leadFields: readonly LeadFieldDescription[] | undefined;
  },
): { problems: PublishProblem[]; warnings: PublishProblem[] } {
  const problems: PublishProblem[] = [];
  const captured: Array<{ path: string; field: string }> = [];
  content.cards.forEach((card, i) => {
    if (card.type === 'condition') {
      card.branches.forEach((branch, j) =>
        branch.conditions.forEach((condition, k) => {
          if (condition.source !== 'lead' || ctx.isSynced(condition.field)) return;
          problems.push({
            field: `cards.${i}.branches.${j}.conditions.${k}.field`,
            message: `${condition.field} is not a synced lead field (SYNC_FIELDS: ${ctx.synced}), so every visitor would count as having it empty: add it to SYNC_FIELDS or change the condition`,
          });
        }),
      );
    }
    if ((card.type === 'input' || card.type === 'question') && card.field !== undefined) {
      captured.push({ path: `cards.${i}.field`, field: card.field });
    }
    if (card.type === 'form') {
      card.fields.forEach((f, j) => {
        if (f.field !== undefined)
          captured.push({ path: `cards.${i}.fields.${j}.field`, field: f.field });
      });
    }
  });
  if (captured.length === 0) return { problems, warnings: [] };
  if (ctx.leadFields === undefined) {
    return {
      problems,
      warnings: captured.map(({ path, field }) => ({
        field: path,
        message: `Marketo could not be asked whether ${field} is a lead field: only its name was checked`,
      })),
    };
  }
  const byName = new Map(ctx.leadFields.map((f) => [f.name, f]));
  for (const { path, field } of captured) {
    const known = byName.get(field);
    if (known === undefined) {
      problems.push({
        field: path,
        message: `Marketo has no lead field ${field} (Describe Lead): every write of this answer would fail`,
      });
    } else if (known.readOnly) {
      problems.push({
        field: path,
        message: `Marketo's lead field ${field} is read-only through the API: every write of this answer would fail`,
      });
    }
  }
  return { problems, warnings: [] };
}
