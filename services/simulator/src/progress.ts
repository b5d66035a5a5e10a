import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, fraud: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress line on stderr, only when stderr is a terminal: redirected output (CI logs, files)
 * gets the final summary alone, not thousands of carriage-return frames.
 */
export function createProgress(
  total: number,
  unit: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY || total <= 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | fraud {fraud} | {duration}s elapsed, eta {eta}s`,
      hideCursor: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { fraud: 0 });
  return {
    update: (done, fraud) => bar.update(done, { fraud }),
    stop: () => bar.stop(),
  };
}
