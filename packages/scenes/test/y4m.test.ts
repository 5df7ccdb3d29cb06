import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeY4m, formatY4mHeader, isChromiumCompatible, parseY4m, writeY4mFile, Y4mFormatError, type Y4mHeader, type Yuv420Frame } from '../src/index.ts';

const header: Y4mHeader = { width: 6, height: 4, fps: { num: 15, den: 1 }, colorspace: '420jpeg' };
const frame = (seed: number): Yuv420Frame => ({
  y: Uint8Array.from({ length: 24 }, (_, i) => (i * 7 + seed) & 0xff),
  u: Uint8Array.from({ length: 6 }, (_, i) => 100 + i + seed),
  v: Uint8Array.from({ length: 6 }, (_, i) => 150 - i - seed),
});

describe('Y4M', () => {
  it('writes the header and FRAME markers Chromium expects and reads every plane back', () => {
    const bytes = encodeY4m(header, [frame(1), frame(2), frame(3)]);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text.startsWith('YUV4MPEG2 W6 H4 F15:1 Ip A1:1 C420jpeg\nFRAME\n')).toBe(true);
    expect(text.split('FRAME\n')).toHaveLength(4);
    const video = parseY4m(bytes);
    expect(video.header).toEqual(header);
    expect(video.frameCount).toBe(3);
    const back = [...video.frames()];
    back.forEach((f, i) => {
      expect([...f.y]).toEqual([...frame(i + 1).y]);
      expect([...f.u]).toEqual([...frame(i + 1).u]);
      expect([...f.v]).toEqual([...frame(i + 1).v]);
    });
    expect(isChromiumCompatible(header)).toBe(true);
  });

  it('streams to a file with the same bytes as the in-memory encoder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeproof-y4m-'));
    try {
      const path = join(dir, 'v.y4m');
      expect(writeY4mFile(path, header, [frame(5), frame(6)])).toBe(2);
      expect(Buffer.compare(readFileSync(path), Buffer.from(encodeY4m(header, [frame(5), frame(6)])))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads frames that carry FRAME parameters and headers with comments and odd sizes', () => {
    const odd = new TextEncoder().encode('YUV4MPEG2 W3 H3 F30000:1001 C420 XYSCSS=420JPEG\nFRAME Ixyz\n');
    const data = new Uint8Array(9 + 4 + 4).fill(42);
    const bytes = new Uint8Array([...odd, ...data]);
    const video = parseY4m(bytes);
    expect(video.header).toEqual({ width: 3, height: 3, fps: { num: 30000, den: 1001 }, colorspace: '420' });
    expect(video.frame(0).u).toHaveLength(4);
  });

  it('rejects what is not a 4:2:0 progressive Y4M, naming the problem', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => parseY4m(enc('RIFF....\n'))).toThrow(/not a Y4M file/);
    expect(() => parseY4m(enc('YUV4MPEG2 W4 H4 F15:1 C444\n'))).toThrow(/colorspace C444 is not supported/);
    expect(() => parseY4m(enc('YUV4MPEG2 W4 H4 F15:1 It\n'))).toThrow(/interlacing/);
    expect(() => parseY4m(enc('YUV4MPEG2 H4 F15:1\n'))).toThrow(/width/);
    expect(() => parseY4m(enc('YUV4MPEG2 W4 H4 F15\n'))).toThrow(/frame rate F/);
    const truncated = encodeY4m(header, [frame(1), frame(2)]).subarray(0, -5);
    expect(() => parseY4m(truncated)).toThrow(Y4mFormatError);
    expect(() => parseY4m(truncated)).toThrow(/frame 1: truncated/);
    expect(() => encodeY4m(header, [{ ...frame(1), u: new Uint8Array(3) }])).toThrow(/frame 0: plane sizes/);
    expect(() => formatY4mHeader({ ...header, width: 0 })).toThrow(/width must be a positive integer/);
  });
});
