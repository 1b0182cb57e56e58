import { describe, expect, it } from 'vitest';
import { normalizeDate, normalizeFieldValue } from '../../webhooks/marketo/lead-field-values.js';

describe('normalizeFieldValue', () => {
  it.each([
    ['company', '', null],
    ['company', '  ', null],
    ['leadScore', '42', 42],
    ['leadScore', '42.5', '42.5'],
    ['numberOfEmployees', 'many', 'many'],
    ['annualRevenue', '1500000.50', 1500000.5],
    ['unsubscribed', 'TRUE', true],
    ['unsubscribed', '1', true],
    ['doNotCall', 'no', false],
    ['doNotCall', 'maybe', 'maybe'],
    ['postalCode', '01234', '01234'],
    ['customFlag', 'true', 'true'],
    ['leadScore', 42, 42],
    ['createdAt', '2026-11-24 10:15:00', '2026-11-24T10:15:00Z'],
    ['chat', 'Nov 24, 2026', 'Nov 24, 2026'],
  ])('when %s is %j, then it is stored as %j', (name, value, expected) => {
    expect(normalizeFieldValue(name, value)).toEqual(expected);
  });
});

describe('normalizeDate', () => {
  it.each([
    ['2026-11-24 10:15:00', '2026-11-24T10:15:00Z'],
    ['2026-11-24 10:15', '2026-11-24T10:15:00Z'],
    ['2026-11-24T10:15:00Z', '2026-11-24T10:15:00Z'],
    ['2026-11-24T10:15:00-06:00', '2026-11-24T16:15:00Z'],
    ['2026-11-24', '2026-11-24'],
    ['Nov 24, 2026', '2026-11-24'],
    ['November 24, 2026', '2026-11-24'],
    ['11/24/2026', '2026-11-24'],
    ['Nov 24, 2026 3:05 PM', '2026-11-24T15:05:00Z'],
    ['2026-11-24T10:15:00.5Z', '2026-11-24T10:15:00.500Z'],
    ['2026-11-24T10:15:00.0001Z', '2026-11-24T10:15:00Z'],
    ['2026-11-24T23:30:00+0200', '2026-11-24T21:30:00Z'],
    ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00Z'],
    ['2024-02-29 08:00', '2024-02-29T08:00:00Z'],
    ['2000-02-29', '2000-02-29'],
    ['2026-02-30', undefined],
    ['2026-02-29 08:00', undefined],
    ['1900-02-29', undefined],
    ['2026-04-31', undefined],
    ['2026-13-01', undefined],
    ['2026-11-24 24:00', undefined],
    ['2026-11-24 10:60', undefined],
    ['next Tuesday', undefined],
  ])('when Marketo renders %j, then it becomes %j', (text, expected) => {
    expect(normalizeDate(text)).toBe(expected);
  });
});
