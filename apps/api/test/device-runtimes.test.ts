import { describe, expect, it } from 'vitest';
import { canRun, runtimeFits } from '../src/services/device-selection.ts';

describe('canRun: which devices run which model format', () => {
  const browser = { runtimes: ['onnxruntime-web/wasm', 'litert/wasm'] };
  const host = { runtimes: ['onnxruntime-node'] };
  const nativePhone = { runtimes: ['tflite', 'onnxruntime-android'] };

  it('TFLite needs a litert/* or *tflite* runtime, ONNX an onnxruntime* one', () => {
    expect(canRun(browser, 'tflite')).toBe(true);
    expect(canRun(browser, 'onnx')).toBe(true);
    expect(canRun(host, 'tflite')).toBe(false);
    expect(canRun(nativePhone, 'tflite')).toBe(true);
    expect(canRun({ runtimes: ['litert/webgpu'] }, 'onnx')).toBe(false);
    expect(runtimeFits('litertish', 'tflite')).toBe(false);
  });

  it("with a run's settings.runtimes, one of them must be on the device and fit the format", () => {
    expect(canRun(browser, 'tflite', ['litert/wasm'])).toBe(true);
    expect(canRun(browser, 'tflite', ['litert/webgpu'])).toBe(false);
    // the device has onnxruntime-web/wasm, but it cannot load a TFLite model
    expect(canRun(browser, 'tflite', ['onnxruntime-web/wasm'])).toBe(false);
    expect(canRun(browser, 'onnx', ['onnxruntime-web/wasm', 'litert/wasm'])).toBe(true);
  });
});
