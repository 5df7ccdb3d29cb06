// Preloaded into a process by bench/ingest.ts (NODE_OPTIONS=--import=<this file>): samples its own
// memory every 10 ms when the event loop is free and, on SIGUSR2, writes the peaks since the last
// SIGUSR2 to $EDGEPROOF_MEMORY_REPORT (JSON) and starts over. Nothing else in the process changes.
import { writeFileSync } from 'node:fs';

const file = process.env.EDGEPROOF_MEMORY_REPORT;
if (file) {
  let peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0, samples: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak = {
      heapUsed: Math.max(peak.heapUsed, m.heapUsed),
      heapTotal: Math.max(peak.heapTotal, m.heapTotal),
      external: Math.max(peak.external, m.external),
      arrayBuffers: Math.max(peak.arrayBuffers, m.arrayBuffers),
      rss: Math.max(peak.rss, m.rss),
      samples: peak.samples + 1,
    };
  };
  setInterval(sample, 10).unref();
  process.on('SIGUSR2', () => {
    sample();
    writeFileSync(file, JSON.stringify(peak));
    peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0, samples: 0 };
  });
}
