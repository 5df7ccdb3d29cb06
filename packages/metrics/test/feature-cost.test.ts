import { describe, expect, it } from 'vitest';
import { deriveCost, frameDelivery, sustainedPerformance, type CostSample, type DeliveredFrame } from '../src/index.ts';

const sample = (tMs: number, over: Partial<CostSample> = {}): CostSample => ({
  tMs,
  cpuTimeMs: null,
  rssBytes: null,
  temperaturesC: {},
  energyUj: null,
  batteryPercent: null,
  batteryCurrentMa: null,
  ...over,
});

describe('frameDelivery', () => {
  it('counts drops against the scenario, processed FPS over capture time and capture → result latency', () => {
    const frames: DeliveredFrame[] = [0, 2, 4, 6, 8].map((i) => ({ frame: i + 1, captureMs: i * 50, resultMs: i * 50 + 20 + i }));
    const d = frameDelivery(frames, { expectedFrames: 10 });
    expect(d).toMatchObject({ processedFrames: 5, distinctFrames: 5, droppedFrames: 5, droppedRatio: 0.5, durationMs: 428 });
    expect(d.processedFps).toBeCloseTo(4 / 0.4);
    expect(d.latencyMs).toEqual({ p50: 24, p90: 27.2, mean: 24, max: 28 });
  });

  it('rejects a result before its capture and answers nulls for too few frames', () => {
    expect(() => frameDelivery([{ frame: 1, captureMs: 10, resultMs: 5 }], { expectedFrames: 1 })).toThrow(/precedes/);
    expect(frameDelivery([], { expectedFrames: 3 })).toMatchObject({ processedFps: null, latencyMs: null, droppedRatio: 1 });
  });
});

describe('sustainedPerformance', () => {
  it('compares the first and the last whole window', () => {
    // 10 frames/s with 20 ms latency for the first second, then 5 frames/s with 40 ms
    const frames: DeliveredFrame[] = [];
    for (let t = 0; t < 1000; t += 100) frames.push({ frame: 1, captureMs: t, resultMs: t + 20 });
    for (let t = 1000; t <= 3000; t += 200) frames.push({ frame: 1, captureMs: t, resultMs: t + 40 });
    const s = sustainedPerformance(frames, { windowMs: 1000 });
    expect(s?.first).toMatchObject({ frames: 10, processedFps: 10, latencyP50Ms: 20 });
    expect(s?.last).toMatchObject({ fromMs: 2000, frames: 5, processedFps: 5, latencyP50Ms: 40 });
    expect(s?.fpsRatio).toBe(0.5);
    expect(s?.latencyRatio).toBe(2);
    expect(sustainedPerformance(frames.slice(0, 12), { windowMs: 1000 })).toBeNull();
  });
});

describe('deriveCost', () => {
  it('says unavailable (null) for everything the device did not expose', () => {
    const c = deriveCost([sample(0), sample(1000), sample(2000)]);
    expect(c).toEqual({
      durationMs: 2000,
      samples: 3,
      cpuPercentMean: null,
      cpuPercentMax: null,
      peakRssBytes: null,
      temperatureRiseC: null,
      maxTemperatureC: null,
      energyJoules: null,
      energyJoulesPerMinute: null,
      batteryPercentPerMinute: null,
      batteryCurrentMaMean: null,
    });
  });

  it('derives CPU share, peak memory, temperature rise, energy and battery drain per minute', () => {
    const series = [0, 1, 2, 3, 4, 5].map((i) =>
      sample(i * 30_000, {
        cpuTimeMs: i === 0 ? 0 : i === 1 ? 15_000 : 15_000 + (i - 1) * 6_000,
        rssBytes: 100 + i,
        temperaturesC: { cpu: 40 + i, skin: 30 },
        energyUj: i * 3_000_000,
        batteryPercent: 90 - i,
        batteryCurrentMa: 300 + i * 10,
      }),
    );
    const c = deriveCost(series);
    expect(c.durationMs).toBe(150_000);
    expect(c.cpuPercentMax).toBe(50);
    expect(c.cpuPercentMean).toBeCloseTo((39_000 / 150_000) * 100);
    expect(c.peakRssBytes).toBe(105);
    expect(c.temperatureRiseC).toBe(3); // mean(43,44,45) − mean(40,41,42)
    expect(c.maxTemperatureC).toBe(45);
    expect(c.energyJoules).toBe(15);
    expect(c.energyJoulesPerMinute).toBe(6);
    expect(c.batteryPercentPerMinute).toBe(2);
    expect(c.batteryCurrentMaMean).toBe(325);
  });

  it('reads a decreasing energy counter as a wrap only when its range is known', () => {
    const series = [sample(0, { energyUj: 900 }), sample(60_000, { energyUj: 100 })];
    expect(deriveCost(series).energyJoules).toBeNull();
    expect(deriveCost(series, { energyRangeUj: 1000 }).energyJoules).toBeCloseTo(200 / 1e6);
  });
});
