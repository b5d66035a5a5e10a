export {
  runBacktest,
  resolveModelDirectory,
  BACKTEST_HEADER,
  type BacktestOptions,
  type BacktestResult,
} from './backtest.ts';
export { ParityError, PythonStepError, TrainerError, TrainingDataError } from './errors.ts';
export { averagePrecision, atThreshold, evaluate, prCurve, rocAuc, type PrCurve } from './metrics.ts';
export { DEFAULT_TRAINING_PARAMS, type TrainingParams } from './params.ts';
export { replay, type ReplayBatch, type ReplayOptions, type ReplayStats } from './replay.ts';
export { DEFAULT_SPLIT, timeSplit, type SplitFractions, type TimeSplit } from './split.ts';
export { DEFAULT_THRESHOLD_POLICY, chooseThresholds, type ThresholdPolicy } from './thresholds.ts';
export {
  PARITY_TOLERANCE,
  checkParity,
  trainModel,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from './train-pipeline.ts';
