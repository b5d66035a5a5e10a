/** Base of every trainer failure that a person can fix (bad input, bad options, a failed check). */
export class TrainerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrainerError';
  }
}

/** The input file cannot be used (empty, no labels, too few rows or frauds for a split). */
export class TrainingDataError extends TrainerError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrainingDataError';
  }
}

/** onnxruntime-node and XGBoost disagree on the test split by more than the tolerance. */
export class ParityError extends TrainerError {
  constructor(
    readonly maxAbsDiff: number,
    readonly tolerance: number,
    readonly worstRow: number,
  ) {
    super(
      `ONNX parity check failed: max |onnx - xgboost| = ${maxAbsDiff.toExponential(3)} at test row ${worstRow} ` +
        `exceeds ${tolerance.toExponential(1)}; no model directory was written`,
    );
    this.name = 'ParityError';
  }
}

/** The Python step exited non-zero; carries the tail of its stderr. */
export class PythonStepError extends TrainerError {
  constructor(step: string, exitCode: number | null, stderrTail: string) {
    super(`python step "${step}" failed (exit ${exitCode ?? 'signal'}):\n${stderrTail}`);
    this.name = 'PythonStepError';
  }
}
