import { z } from 'zod';
import { AppError } from '../errors.js';
import type { RoutingRule } from '../records/meeting-contract.js';

/** `PUT /api/routing/rules/order`: every rule's id once, highest priority first. */
export const ruleOrderSchema = z
  .object({ order: z.array(z.string().min(1).max(100)).max(1001) })
  .strict();

/** The order names every rule once and nothing else; else a 400 naming `order` (or the entry). */
export function checkRuleOrder(order: readonly string[], rules: readonly RoutingRule[]): void {
  const known = new Set(rules.map((r) => r.id));
  const seen = new Set<string>();
  for (const [index, id] of order.entries()) {
    if (!known.has(id)) throw orderError(`order.${index}`, `order.${index}: no rule ${id}`);
    if (seen.has(id)) throw orderError(`order.${index}`, `order.${index}: ${id} is named twice`);
    seen.add(id);
  }
  const missing = rules.filter((r) => !seen.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    throw orderError('order', `order must name every rule; missing: ${missing.join(', ')}`);
  }
}

/**
 * Priorities for rules in this order, highest first. The rules' own priorities are kept where
 * they already fall in order (a priority is something an admin may have chosen): the sorted
 * priorities are handed out again, each lowered to one below the one before when it would tie
 * it (ties go by creation, which would not follow the order); if that runs below 0, the order
 * is numbered afresh from its length down.
 */
export function priorities(count: number, current: readonly number[]): number[] {
  const sorted = [...current].sort((a, b) => b - a);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const wanted = sorted[i] ?? 0;
    out.push(i === 0 ? wanted : Math.min(wanted, out[i - 1]! - 1));
  }
  if (out.length > 0 && out[out.length - 1]! < 0) return out.map((_, i) => count - 1 - i);
  return out;
}

/** Saves the rules whose priority changed; answers every rule in the new order. */
export async function saveRuleOrder(
  order: readonly string[],
  rules: readonly RoutingRule[],
  save: (rule: RoutingRule) => Promise<unknown>,
  now: number,
): Promise<RoutingRule[]> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const given = priorities(
    order.length,
    rules.map((r) => r.priority),
  );
  const result: RoutingRule[] = [];
  for (const [index, id] of order.entries()) {
    const rule = byId.get(id)!;
    const priority = given[index]!;
    if (rule.priority === priority) {
      result.push(rule);
      continue;
    }
    const changed = { ...rule, priority, updatedAt: now };
    await save(changed);
    result.push(changed);
  }
  return result;
}

function orderError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { httpStatus: 400, field });
}
