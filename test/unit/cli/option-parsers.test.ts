import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { collect, integer, segment } from '../../../src/interfaces/cli/command-kit.js';

/** The option parsers of command-kit.ts: `integer(min, max)`, `collect` and `segment`. */

/** Bounds as the commands use them, and arbitrary ones. */
const bounds = fc
  .tuple(fc.integer({ min: -1_000, max: 1_000 }), fc.integer({ min: 0, max: 2_000 }))
  .map(([min, width]) => ({ min, max: min + width }));

const accepts = (parse: (value: string) => number, value: string) => {
  try {
    return { ok: true as const, value: parse(value) };
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return { ok: false as const };
  }
};

describe('integer(min, max)', () => {
  it('accepts every whole number in range, as itself', () => {
    fc.assert(
      fc.property(
        bounds.chain(({ min, max }) => fc.tuple(fc.constant({ min, max }), fc.integer({ min, max }))),
        ([{ min, max }, n]) => {
          expect(accepts(integer(min, max), String(n))).toEqual({ ok: true, value: n });
        },
      ),
    );
  });

  it('refuses every whole number out of range', () => {
    fc.assert(
      fc.property(bounds, fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), ({ min, max }, by, below) => {
        const n = below ? min - by : max + by;
        expect(accepts(integer(min, max), String(n)).ok).toBe(false);
      }),
    );
  });

  it('refuses whatever is not written as a whole number', () => {
    const notWhole = fc.oneof(
      fc.string(),
      fc.double({ noNaN: false }).map(String),
      fc.constantFrom('1.5', '1e3', '0x10', ' 5', '5 ', '+5', '', '-', '1_000', '５', 'Infinity', '10n'),
    );
    fc.assert(
      fc.property(notWhole, (value) => {
        fc.pre(!/^-?\d+$/.test(value));
        expect(accepts(integer(-1e9, 1e9), value).ok).toBe(false);
      }),
    );
  });

  it('whatever it accepts is a whole number within the bounds that the text denotes', () => {
    fc.assert(
      fc.property(
        bounds,
        fc.oneof(fc.string(), fc.integer().map(String), fc.stringMatching(/^-?0*\d{1,5}$/)),
        ({ min, max }, value) => {
          const result = accepts(integer(min, max), value);
          if (!result.ok) return;
          expect(Number.isInteger(result.value)).toBe(true);
          expect(result.value).toBeGreaterThanOrEqual(min);
          expect(result.value).toBeLessThanOrEqual(max);
          expect(result.value).toBe(Number(value));
        },
      ),
    );
  });

  it('without a max, anything above the safe integers is refused', () => {
    expect(accepts(integer(1), String(Number.MAX_SAFE_INTEGER))).toEqual({
      ok: true,
      value: Number.MAX_SAFE_INTEGER,
    });
    expect(accepts(integer(1), '9007199254740993').ok).toBe(false);
    expect(accepts(integer(1), '1'.repeat(400)).ok).toBe(false);
  });

  it('names the range it wants', () => {
    expect(() => integer(1, 1000)('0')).toThrow('must be a whole number from 1 to 1000');
    expect(() => integer(0)('x')).toThrow(/^must be a whole number from 0$/);
  });
});

/** An item as a user would write one: not empty, no comma, no surrounding blanks. */
const item = fc.string({ minLength: 1 }).filter((value) => !value.includes(',') && value.trim() === value);

describe('collect', () => {
  it('splits on commas and round-trips items joined with commas', () => {
    fc.assert(
      fc.property(fc.array(item), (items) => {
        expect(collect(items.join(','))).toEqual(items.filter((value) => value !== ''));
      }),
    );
  });

  it('trims blanks around items and drops empty ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(item, fc.constantFrom('', ' ', '  ', '\t')), { maxLength: 6 }),
        fc.constantFrom('', ',', ', ,'),
        (padded, junk) => {
          const written = padded.map(([value, pad]) => `${pad}${value}${pad}`).join(`,${junk}`);
          expect(collect(written)).toEqual(padded.map(([value]) => value));
        },
      ),
    );
  });

  it('repeating the option concatenates, in order, without changing what came before', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (values) => {
        let collected: string[] | undefined;
        for (const value of values) {
          const before = collected === undefined ? undefined : [...collected];
          const next = collect(value, collected);
          if (collected !== undefined) expect(collected).toEqual(before);
          collected = next;
        }
        expect(collected).toEqual(values.flatMap((value) => collect(value)));
        for (const entry of collected ?? []) {
          expect(entry).not.toContain(',');
          expect(entry).toBe(entry.trim());
          expect(entry).not.toBe('');
        }
      }),
    );
  });
});

describe('segment', () => {
  it('is one path segment that decodes back to the value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const encoded = segment(value);
        expect(encoded).not.toMatch(/[/?#\s]/u);
        expect(decodeURIComponent(encoded)).toBe(value);
      }),
    );
  });
});
