/**
 * Dialogues each visitor has completed, so resolve does not offer them again (Dynamic Chat: "a
 * dialogue is shown to a visitor once; after completion it is never shown again, even if
 * republished", marketo-facts.md §7.2). Best effort: kept in this process's memory, fed by the
 * `completed` events it records, bounded to the most recently active visitors. A restart or
 * another replica forgets; the widget also remembers completions in the browser. A durable
 * version belongs in the ChatStore (e.g. `completedDialogues(anonymousId)`).
 */
export interface VisitorCompletions {
  add(anonymousId: string, dialogueId: string): void;
  /** For selectDialogue's `skip`; undefined when the visitor completed nothing. */
  skipFor(anonymousId: string): Readonly<Record<string, string>> | undefined;
}

export const DEFAULT_MAX_VISITORS = 100_000;

export function createVisitorCompletions(maxVisitors = DEFAULT_MAX_VISITORS): VisitorCompletions {
  const byVisitor = new Map<string, Readonly<Record<string, string>>>();
  return {
    add(anonymousId, dialogueId) {
      const before = byVisitor.get(anonymousId);
      // Re-inserted so the Map's order is least recently completed first.
      byVisitor.delete(anonymousId);
      byVisitor.set(
        anonymousId,
        Object.freeze({ ...before, [dialogueId]: 'already completed by this visitor' }),
      );
      if (byVisitor.size > maxVisitors) {
        const oldest = byVisitor.keys().next();
        if (oldest.done !== true) byVisitor.delete(oldest.value);
      }
    },
    skipFor: (anonymousId) => byVisitor.get(anonymousId),
  };
}
