import { readFile } from 'node:fs/promises';
import { encodeTflite } from '@edgeproof/models';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../../test/security/support/snapshot.ts';
import { modelForm, startTestApi, type TestApi } from './helpers.ts';

/** a full-integer model: int8 input and output with their quantization */
function quantizedModel(): Uint8Array {
  return encodeTflite({
    description: 'int8 identity-ish test model',
    subgraphs: [
      {
        tensors: [
          { name: 'pixels', type: 'INT8', shape: [1, 4], shapeSignature: [-1, 4], quantization: { scale: [1 / 255], zeroPoint: [-128] } },
          { name: 'flat_shape', type: 'INT32', shape: [2], data: new Uint8Array(Int32Array.from([-1, 4]).buffer) },
          { name: 'scores', type: 'INT8', shape: [1, 4], shapeSignature: [-1, 4], quantization: { scale: [1 / 255], zeroPoint: [-128] } },
        ],
        inputs: [0],
        outputs: [2],
        operators: [{ op: 'RESHAPE', inputs: [0, 1], outputs: [2], options: { kind: 'ReshapeOptions', newShape: [-1, 4] } }],
      },
    ],
    signatureDefs: [{ key: 'serving_default', inputs: { pixels: 0 }, outputs: { scores: 2 } }],
  });
}

describe('TFLite model uploads', () => {
  let api: TestApi;
  let face: Buffer;

  beforeAll(async () => {
    api = await startTestApi();
    face = await readFile(thirdPartyModels.faceDetectionShortRange);
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/models',
      headers: api.auth('ml_engineer'),
      payload: { name: 'face', taskKind: 'detection', owner: 'vision-team' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const upload = (bytes: Uint8Array, version: string) =>
    api.app.inject({ method: 'POST', url: '/v1/models/face/versions', headers: api.auth('ml_engineer'), payload: modelForm(bytes, { version }, 'model.tflite') });

  it('stores a real TFLite model with the signature read from its FlatBuffer, and serves it back', async () => {
    const res = await upload(face, '1.0.0');
    expect(res.statusCode).toBe(201);
    const expected = {
      format: 'tflite',
      inputs: [{ name: 'input', elementType: 'float32', shape: [1, 128, 128, 3] }],
      outputs: [
        { name: 'regressors', elementType: 'float32', shape: [1, 896, 16] },
        { name: 'classificators', elementType: 'float32', shape: [1, 896, 1] },
      ],
      nodeCount: 164,
      tflite: {
        schemaVersion: 3,
        operatorCount: 164,
        builtinOps: ['ADD', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEQUANTIZE', 'MAX_POOL_2D', 'PAD', 'RELU', 'RESHAPE'],
        signatureDefs: [],
      },
    };
    expect(res.json()).toMatchObject({ format: 'tflite', sizeBytes: face.length, signature: expected });
    const got = await api.app.inject({ method: 'GET', url: '/v1/models/face/versions/1.0.0', headers: api.auth('viewer') });
    expect(got.statusCode).toBe(200);
    expect(got.json().signature).toEqual(res.json().signature);
  });

  it('keeps dynamic dims, SignatureDefs and int8 quantization of a TFLite model', async () => {
    const res = await upload(quantizedModel(), 'int8');
    expect(res.statusCode).toBe(201);
    const { signature } = res.json();
    expect(signature.inputs).toEqual([{ name: 'pixels', elementType: 'int8', shape: [null, 4] }]);
    expect(signature.tflite.inputs).toEqual([
      { name: 'pixels', tensorIndex: 0, tensorType: 'INT8', quantization: { scale: [Math.fround(1 / 255)], zeroPoint: [-128], quantizedDimension: 0 } },
    ]);
    expect(signature.tflite.signatureDefs).toEqual([
      { key: 'serving_default', subgraphIndex: 0, inputs: [{ name: 'pixels', tensor: 'pixels' }], outputs: [{ name: 'scores', tensor: 'scores' }] },
    ]);
  });

  it('answers 422 naming the file for corrupt TFL3 files, and changes no row and no file', async () => {
    const header = Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from('TFL3')]);
    const corrupt: Array<[string, Uint8Array, string]> = [
      ['cut in half', face.subarray(0, face.length >> 1), 'truncated'],
      ['cut before its last byte', face.subarray(0, face.length - 1), 'truncated'],
      ['a TFL3 header and 0x01 bytes (a vtable offset far outside the file)', Buffer.concat([header, Buffer.alloc(64, 1)]), 'truncated'],
      ['a TFL3 header and zeros (a vtable of size 0)', Buffer.concat([header, Buffer.alloc(64, 0)]), 'not_a_model'],
      ['a header and nothing else', header, 'truncated'],
    ];
    for (const [what, bytes, reason] of corrupt) {
      const before = await snapshot(api.app.db, api.artifactRoot);
      const res = await upload(bytes, 'corrupt');
      expect(res.statusCode, what).toBe(422);
      const { error } = res.json();
      expect(error.code, what).toBe('invalid_model');
      expect(error.message, what).toMatch(/^file: (TFLite flatbuffer is truncated or corrupt|file is not a valid TFLite model|TFLite file is \d+ bytes)/);
      expect(error.details, what).toEqual({ reason });
      expect(await snapshot(api.app.db, api.artifactRoot), what).toEqual(before);
    }
    expect(await api.app.db.modelVersion.count({ where: { version: 'corrupt' } })).toBe(0);
  });
});
