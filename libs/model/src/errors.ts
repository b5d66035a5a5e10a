/** Base class of every model-loading failure; `code` is a stable label for logs and metrics. */
export abstract class ModelError extends Error {
  abstract readonly code: string;
}

/** A manifest.json or registry.json breaks its schema; names the file and the field. */
export class ManifestValidationError extends ModelError {
  readonly code = 'invalid_manifest';
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'ManifestValidationError';
  }
}

/** The model was trained on another feature set than the one this code computes. */
export class FeatureFingerprintMismatchError extends ModelError {
  readonly code = 'feature_fingerprint_mismatch';
  constructor(
    readonly directory: string,
    readonly modelFingerprint: string,
    readonly expectedFingerprint: string,
  ) {
    super(
      `${directory}: the model was trained on feature set ${modelFingerprint}, ` +
        `but this code computes feature set ${expectedFingerprint}; retrain the model or deploy matching feature code`,
    );
    this.name = 'FeatureFingerprintMismatchError';
  }
}

/** The model reads Transaction fields that the stream it would score does not provide. */
export class ModelInputsUnavailableError extends ModelError {
  readonly code = 'model_inputs_unavailable';
  constructor(
    readonly version: string,
    readonly missingFields: readonly string[],
  ) {
    super(
      `model ${version} reads ${missingFields.join(', ')}, which the stream does not provide; ` +
        'deploy a model trained without them (e.g. npm run train -- --without-balances) or send the fields',
    );
    this.name = 'ModelInputsUnavailableError';
  }
}

/** A model directory or registry file is missing or unreadable. */
export class ModelNotFoundError extends ModelError {
  readonly code = 'model_not_found';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelNotFoundError';
  }
}

/** A score batch does not fit the model (wrong column count, short buffer). */
export class ScoringInputError extends ModelError {
  readonly code = 'scoring_input';
  constructor(message: string) {
    super(message);
    this.name = 'ScoringInputError';
  }
}

/** An XGBoost model.json that the TreeSHAP explainer cannot read (shape, objective, categorical splits). */
export class XgboostModelFormatError extends ModelError {
  readonly code = 'xgboost_model_format';
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'XgboostModelFormatError';
  }
}

/**
 * A model whose reason codes cannot be computed: the scorer explains decisions with TreeSHAP over
 * XGBoost's model JSON, so a model without a readable one (e.g. a LightGBM winner exported only to
 * ONNX) must not be promoted.
 */
export class ModelNotExplainableError extends ModelError {
  readonly code = 'model_not_explainable';
  constructor(
    readonly directory: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `${directory}: not explainable (${problem}); reason codes need XGBoost model JSON with the manifest's features`,
      options,
    );
    this.name = 'ModelNotExplainableError';
  }
}
