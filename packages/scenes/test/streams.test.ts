import { describe, expect, it } from 'vitest';
import {
  encodeY4m,
  generateScenario,
  MotFormatError,
  parseMotGroundTruth,
  parseY4m,
  scanY4m,
  summarizeMotLines,
  validateScenario,
  validateScenarioStreams,
  Y4M_MAX_DIMENSION,
  Y4mFormatError,
  type Y4mHeader,
} from '../src/index.ts';

const header: Y4mHeader = { width: 6, height: 4, fps: { num: 15, den: 1 }, colorspace: '420jpeg' };
const frame = (seed: number) => ({ y: new Uint8Array(24).fill(seed), u: new Uint8Array(6).fill(seed + 1), v: new Uint8Array(6).fill(seed + 2) });
const enc = (s: string) => new TextEncoder().encode(s);

/** The bytes in chunks of `size` (1 splits every header and FRAME line). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function scanError(bytes: Uint8Array, size = 7): Promise<string> {
  const err = await scanY4m(chunked(bytes, size)).then(() => new Error('expected an error'), (e: unknown) => e);
  expect(err).toBeInstanceOf(Y4mFormatError);
  return (err as Error).message;
}

function parseError(bytes: Uint8Array): string {
  try {
    parseY4m(bytes);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('scanY4m', () => {
  it('agrees with parseY4m on good files, whatever the chunking', async () => {
    const files = [encodeY4m(header, [frame(1), frame(2), frame(3)]), new Uint8Array([...enc('YUV4MPEG2 W3 H3 F30000:1001 C420 XYSCSS=420JPEG\nFRAME Ixyz\n'), ...new Uint8Array(17)])];
    for (const bytes of files) {
      const video = parseY4m(bytes);
      for (const size of [1, 5, 64, 1 << 20]) {
        expect(await scanY4m(chunked(bytes, size))).toEqual({ header: video.header, headerLength: video.headerLength, frameCount: video.frameCount });
      }
    }
  });

  it('gives the errors parseY4m gives', async () => {
    const good = encodeY4m(header, [frame(1), frame(2)]);
    const cases = [
      good.subarray(0, -5),
      new Uint8Array([...good, ...enc('FRAME')]),
      new Uint8Array([...good, ...enc('GARBAGE\n')]),
      enc('RIFF....\n'),
      enc('YUV4MPEG2 W4 H4 F15:1 C444\n'),
      new Uint8Array(5000).fill(0x41),
    ];
    for (const bytes of cases) expect(await scanError(bytes)).toBe(parseError(bytes));
  });

  it('refuses huge dimensions in the header before reading any frame', async () => {
    const huge = enc(`YUV4MPEG2 W${2 ** 40} H${2 ** 40} F15:1\nFRAME\n`);
    expect(await scanError(huge)).toBe(`header: ${2 ** 40}x${2 ** 40} is larger than ${Y4M_MAX_DIMENSION}x${Y4M_MAX_DIMENSION}`);
    expect(parseError(huge)).toBe(await scanError(huge));
    expect(await scanError(enc('YUV4MPEG2 W4 H4 F99999999999999999999:1\n'))).toMatch(/frame rate F: must be positive integers/);
  });

  it('bounds a FRAME line and the header line', async () => {
    const long = new Uint8Array([...encodeY4m(header, [frame(1)]), ...enc('FRAME'), ...new Uint8Array(10_000).fill(0x20)]);
    expect(await scanError(long, 1000)).toBe('frame 1: FRAME line at byte 81 is longer than 4096 bytes');
    expect(await scanError(new Uint8Array(10_000).fill(0x20), 1000)).toBe('not a Y4M file: no header line');
  });
});

describe('summarizeMotLines', () => {
  it('counts boxes and tracks and fails like parseMotGroundTruth', async () => {
    const text = '1,1,0,0,10,10\n1,2,0,0,10,10\r\n\n2,1,0,0,10,10\n';
    expect(await summarizeMotLines(text.split('\n'), { frameCount: 2 })).toEqual({ boxes: 3, tracks: 2 });
    for (const bad of ['1,1,0,0,10,10\n1,1,5,5,10,10', '1,1,0,0,10', `1,${2 ** 40},0,0,10,10\n1,${2 ** 40},0,0,10,10`]) {
      let expected: unknown;
      try {
        parseMotGroundTruth(bad, { frameCount: 2 });
      } catch (e) {
        expected = e;
      }
      await expect(summarizeMotLines(bad.split('\n'), { frameCount: 2 })).rejects.toEqual(expected);
    }
  });

  it('stops at the box limit', async () => {
    const lines = Array.from({ length: 11 }, (_, i) => `1,${i},0,0,1,1`);
    const err = await summarizeMotLines(lines, { frameCount: 1, maxBoxes: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MotFormatError);
    expect((err as MotFormatError).message).toBe('line 11: more than 10 boxes (the limit for one scenario)');
  });
});

describe('validateScenarioStreams', () => {
  const scene = generateScenario({ seed: 5, durationSeconds: 1, itemCount: 2 });
  const streams = (video: Uint8Array, text: string, manifest: unknown = scene.manifest) => ({
    manifest,
    video: chunked(video, 4096),
    groundTruthLines: (async function* () {
      yield* text.split('\n');
    })(),
  });

  it('summarises what validateScenario validates', async () => {
    const full = validateScenario({ manifest: scene.manifest, video: scene.video, groundTruthText: scene.groundTruthText });
    expect(await validateScenarioStreams(streams(scene.video, scene.groundTruthText))).toEqual({
      manifest: full.manifest,
      frameCount: full.video.frameCount,
      groundTruthBoxes: full.groundTruth.length,
      tracks: new Set(full.groundTruth.map((r) => r.id)).size,
    });
  });

  it('names the field as validateScenario does', async () => {
    const cases: Array<[Uint8Array, string, unknown]> = [
      [scene.video, scene.groundTruthText, { ...scene.manifest, frameCount: 16 }],
      [scene.video, scene.groundTruthText, { ...scene.manifest, width: 322 }],
      [scene.video, scene.groundTruthText, { ...scene.manifest, name: 'Not A Slug' }],
      [scene.video.subarray(0, -1), scene.groundTruthText, scene.manifest],
      [scene.video, 'x', scene.manifest],
    ];
    for (const [video, text, manifest] of cases) {
      let expected: unknown;
      try {
        validateScenario({ manifest, video, groundTruthText: text });
      } catch (e) {
        expected = e;
      }
      expect(expected).toBeInstanceOf(Error);
      await expect(validateScenarioStreams(streams(video, text, manifest))).rejects.toEqual(expected);
    }
  });
});
