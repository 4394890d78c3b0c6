import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  advance(documents: number): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 2000;

/**
 * A progress bar with documents, docs/s and ETA on a terminal; on a pipe or in CI, where a bar
 * would be noise, a plain line every two seconds.
 */
export function createProgress(total: number, output: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const rate = (done: number) => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  let done = 0;

  if (output.isTTY) {
    const bar = new SingleBar(
      { stream: output, format: '{bar} {percentage}% | {value}/{total} documents | {rate} docs/s | ETA {eta_formatted}' },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      advance: (documents) => bar.update((done += documents), { rate: rate(done) }),
      stop: () => bar.stop(),
    };
  }

  const report = () => output.write(`${done}/${total} documents, ${rate(done)} docs/s\n`);
  const timer = setInterval(report, PLAIN_INTERVAL_MS).unref();
  return {
    advance: (documents) => void (done += documents),
    stop: () => clearInterval(timer),
  };
}
