import cliProgress from 'cli-progress';
import type { TrainPhase, TrainProgress } from '../train-pipeline.ts';

const PHASE_LABEL: Record<TrainPhase, string> = {
  replay: 'replay features',
  train: 'xgboost + onnx',
  verify: 'parity + metrics',
  write: 'model directory',
};

/**
 * A progress display for the train CLI: a byte-based bar while replaying (the only long streaming
 * phase), then one line per phase. On a non-TTY (CI logs) it prints plain lines instead.
 */
export function trainProgressDisplay(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let phase: TrainPhase | undefined;
  let lastLog = 0;
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(p: TrainProgress): void {
      if (p.phase !== phase) {
        stopBar();
        phase = p.phase;
        if (p.phase === 'replay' && tty) {
          bar = new cliProgress.SingleBar(
            {
              format: ' replay   [{bar}] {percentage}% | {rows} rows | {duration}s',
              stream,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, 0, { rows: 0 });
        } else {
          stream.write(` ${PHASE_LABEL[p.phase]}${p.rows !== undefined ? ` (${p.rows} rows)` : ''} ...\n`);
        }
      }
      if (bar) bar.update(p.done, { rows: p.rows ?? 0 });
      else if (p.phase === 'replay' && Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        stream.write(`   ${((100 * p.done) / Math.max(p.total, 1)).toFixed(0)}% (${p.rows ?? 0} rows)\n`);
      }
    },
    stop: stopBar,
  };
}
