/** The trainer's environment, read once (the only place that looks at process.env). */
export interface TrainerEnv {
  /** Python of the training virtualenv; unset -> scripts/ensure-venv.sh creates/finds it. */
  python: string | undefined;
  /** When set, the Python step logs the run to MLflow and registers the model. */
  mlflowTrackingUri: string | undefined;
  /** Passed through to the Python process (MLflow credentials and the like). */
  passThrough: Readonly<Record<string, string | undefined>>;
}

export function loadTrainerEnv(env: NodeJS.ProcessEnv = process.env): TrainerEnv {
  const python = env.FRAUD_PYTHON?.trim() || undefined;
  const mlflowTrackingUri = env.MLFLOW_TRACKING_URI?.trim() || undefined;
  return Object.freeze({ python, mlflowTrackingUri, passThrough: Object.freeze({ ...env }) });
}
