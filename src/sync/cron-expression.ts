import cron from 'node-cron';

/** A field of a cron expression: its name for messages and the values it may hold. */
interface CronField {
  name: string;
  min: number;
  max: number;
}

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const FIVE_FIELDS: CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  // 0 and 7 are both Sunday, as in crontab(5).
  { name: 'day of week', min: 0, max: 7 },
];

/**
 * Why a cron expression cannot be used, or undefined when it can. node-cron's own validate
 * accepts steps beyond the field (`*\/61` for minutes, `*\/25` for hours) and reversed ranges
 * (`5-1`), which then never fire as written; crontab(5) takes a step as "skip every N within
 * the field", so a step past the field's largest value is refused here, as are reversed
 * ranges and values out of range.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return 'must be a cron expression of 5 fields (minute hour day month weekday), or 6 with seconds first';
  }
  const fields = parts.length === 6 ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  for (const [i, part] of parts.entries()) {
    const field = fields[i]!;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem !== undefined) return `${field.name} "${item}": ${problem}`;
    }
  }
  return cron.validate(expression) ? undefined : 'must be a valid cron expression';
}

function itemProblem(item: string, field: CronField): string | undefined {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) return 'has more than one "/"';
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `step "${step}" is not a number`;
    const n = Number(step);
    if (n < 1 || n > field.max) return `step ${n} is out of range (1-${field.max})`;
  }
  if (range === '*') return undefined;
  const bounds = range.split('-');
  // Names (JAN, MON-FRI) are left to node-cron; only numbers are checked here.
  if (!bounds.every((b) => /^\d+$/.test(b))) return undefined;
  const values = bounds.map(Number);
  for (const v of values) {
    if (v < field.min || v > field.max) return `${v} is out of range (${field.min}-${field.max})`;
  }
  if (values.length === 2 && values[0]! > values[1]!) return 'the range runs backwards';
  return undefined;
}
