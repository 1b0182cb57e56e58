import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/meetings/booking-refusals.js';
import type { AgentCheck } from '../../src/meetings/meeting-availability.js';

const no = (reason: string) => ({ ok: false, reason }) as AgentCheck;

describe('why a slot was refused', () => {
  it.each([
    [[no('in-past'), no('in-past')], 'VALIDATION_FAILED', /in the past/],
    [[no('too-soon'), no('outside-hours')], 'VALIDATION_FAILED', /too soon/],
    [[no('misaligned'), no('misaligned')], 'VALIDATION_FAILED', /booking grid/],
    [[no('misaligned'), no('outside-hours')], 'VALIDATION_FAILED', /outside the agents/],
    [[no('outside-hours')], 'VALIDATION_FAILED', /outside the agents/],
    [[no('busy'), no('outside-hours')], 'SLOT_TAKEN', /no longer available/],
    [[no('inactive'), no('disconnected')], 'NO_AGENTS_AVAILABLE', /No agent/],
  ])('when the agents answered %j, then the refusal is %s', (seen, code, message) => {
    const error = refusal(seen);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    if (code === 'VALIDATION_FAILED') expect(error.field).toBe('start');
  });
});
