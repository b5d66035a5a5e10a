import { describe, expect, it } from 'vitest';
import { ManifestValidationError, ModelInputsUnavailableError } from './errors.ts';
import { ALWAYS_PRESENT_FIELDS, BALANCE_FIELDS, checkModelInputs, modelInputFields } from './input-fields.ts';
import { validateManifest } from './manifest.ts';
import { validManifest } from './testing/valid-manifest.ts';

describe('model input fields', () => {
  it('treats a manifest without input_fields as reading the balances (the old trainer always did)', () => {
    const m = validManifest();
    expect(modelInputFields(m)).toEqual([...ALWAYS_PRESENT_FIELDS, ...BALANCE_FIELDS]);
    expect(() => checkModelInputs(m, [])).toThrow(ModelInputsUnavailableError);
    expect(() => checkModelInputs(m, BALANCE_FIELDS)).not.toThrow();
  });

  it('refuses a model whose fields the stream lacks, naming every missing field', () => {
    const m = {
      ...validManifest(),
      input_fields: [...ALWAYS_PRESENT_FIELDS, 'originBalanceBeforeMinor', 'deviceId'],
    };
    const error = (() => {
      try {
        checkModelInputs(m as never, ['deviceId']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ModelInputsUnavailableError);
    expect((error as ModelInputsUnavailableError).missingFields).toEqual(['originBalanceBeforeMinor']);
    expect((error as Error).message).toContain('originBalanceBeforeMinor');
  });

  it('accepts a balance-free model on a stream without balances', () => {
    const m = validateManifest({ ...validManifest(), input_fields: [...ALWAYS_PRESENT_FIELDS] });
    expect(() => checkModelInputs(m, [])).not.toThrow();
  });

  it('validates input_fields in the manifest', () => {
    expect(() => validateManifest({ ...validManifest(), input_fields: ['amountMinor', 'shoeSize'] })).toThrow(
      ManifestValidationError,
    );
    expect(() => validateManifest({ ...validManifest(), input_fields: 'amountMinor' })).toThrow(
      /input_fields/,
    );
  });
});
