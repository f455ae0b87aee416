import { describe, expect, it } from 'vitest';
import { addMonths, validateWindow } from '../../datasets/window.js';

const rules = { retentionMonths: 24, today: '2026-11-22' };

describe('export window rules', () => {
  it('adds calendar months, clamping to the end of shorter months and leap Februaries', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2026-11-22', -24)).toBe('2024-11-22');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
  });

  it('accepts a window inside the retention period, today included', () => {
    expect(validateWindow({ from: '2024-11-22', to: '2026-11-22' }, rules)).toBeUndefined();
    expect(validateWindow({ from: '2026-11-22', to: '2026-11-22' }, rules)).toBeUndefined();
  });

  it('names each mistake, checking reversed, future, too long, then retention', () => {
    expect(validateWindow({ from: '2026-11-03', to: '2026-11-01' }, rules)?.reason).toBe('reversed');
    expect(validateWindow({ from: '2026-11-01', to: '2026-11-23' }, rules)?.reason).toBe('future');
    expect(validateWindow({ from: '2020-01-01', to: '2022-01-02' }, rules)?.reason).toBe('too_long');
    expect(validateWindow({ from: '2024-11-21', to: '2024-12-01' }, rules)?.reason).toBe('beyond_retention');
    expect(validateWindow({ from: '2024-11-21', to: '2024-12-01' }, rules)?.detail).toContain('data before 2024-11-22 has been deleted');
  });
});
