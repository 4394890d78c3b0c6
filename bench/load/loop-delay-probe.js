// Preloaded into the service by the load benchmark (`node --require`): measures the event loop's
// delay with perf_hooks and, on SIGUSR2, writes its percentiles (ms) to LOOP_DELAY_FILE and starts
// afresh. The service itself knows nothing of it.
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const stats = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), mean: ms(histogram.mean) };
  writeFileSync(process.env.LOOP_DELAY_FILE, JSON.stringify(stats));
  histogram.reset();
});
