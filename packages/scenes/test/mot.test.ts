import { describe, expect, it } from 'vitest';
import { formatMotGroundTruth, MotFormatError, motRowsToTrackBoxes, parseMotGroundTruth, type MotRow } from '../src/index.ts';

const rows: MotRow[] = [
  { frame: 2, id: 1, x: 10.5, y: 20, w: 30, h: 40.25, conf: 1, classId: 2, visibility: 0.75 },
  { frame: 1, id: 3, x: 0, y: 0, w: 5, h: 6, conf: 1, classId: 1, visibility: 1 },
  { frame: 1, id: 1, x: 1, y: 2, w: 3, h: 4, conf: 0, classId: 5, visibility: 0 },
];

describe('MOT ground truth', () => {
  it('formats sorted by frame and id, and parses back identically', () => {
    const text = formatMotGroundTruth(rows);
    expect(text).toBe('1,1,1,2,3,4,0,5,0\n1,3,0,0,5,6,1,1,1\n2,1,10.5,20,30,40.25,1,2,0.75\n');
    expect(parseMotGroundTruth(text, { frameCount: 2 })).toEqual([...rows].sort((a, b) => a.frame - b.frame || a.id - b.id));
    expect(motRowsToTrackBoxes(rows)[0]).toEqual({ frame: 2, id: 1, x: 10.5, y: 20, w: 30, h: 40.25 });
  });

  it('accepts 6-column and 10-column (result file) lines, blank lines and CRLF', () => {
    const parsed = parseMotGroundTruth('1,4,1,2,3,4\r\n\r\n2,4,1,2,3,4,0.9,1,1,-1\n', { frameCount: 2 });
    expect(parsed).toEqual([
      { frame: 1, id: 4, x: 1, y: 2, w: 3, h: 4, conf: 1, classId: 1, visibility: 1 },
      { frame: 2, id: 4, x: 1, y: 2, w: 3, h: 4, conf: 0.9, classId: 1, visibility: 1 },
    ]);
  });

  it.each([
    ['1,1,0,0,10', 1, 'line 1: expected 6 to 10 comma-separated columns'],
    ['1,1,0,0,10,10\n1,2,0,zero,10,10', 2, 'line 2: y is not a number: "zero"'],
    ['1,1,0,0,10,10\n\n0,1,0,0,10,10', 3, 'line 3: frame 0 is outside 1..5'],
    ['6,1,0,0,10,10', 1, 'line 1: frame 6 is outside 1..5'],
    ['1.5,1,0,0,10,10', 1, 'line 1: frame must be an integer'],
    ['1,-2,0,0,10,10', 1, 'line 1: id must be a non-negative integer'],
    ['1,1,0,0,-10,10', 1, 'line 1: w and h must be positive'],
    ['1,1,0,0,10,10,1,1,1.5', 1, 'line 1: visibility must be in [0, 1]'],
    ['1,1,0,0,10,10\n1,1,5,5,10,10', 2, 'line 2: id 1 appears twice in frame 1'],
    ['1,1,0,0,10,10,1,7,1', 1, 'line 1: class 7 is not one of the scenario'],
    ['1,1,0,,10,10', 1, 'line 1: y is not a number: ""'],
  ])('rejects %j at line %i', (text, line, message) => {
    let error: unknown;
    try {
      parseMotGroundTruth(text, { frameCount: 5, classIds: [1, 2, 3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MotFormatError);
    expect((error as MotFormatError).line).toBe(line);
    expect((error as Error).message).toContain(message);
  });

  it('needs a positive frame count', () => {
    expect(() => parseMotGroundTruth('', { frameCount: 0 })).toThrow(/frameCount/);
  });
});
