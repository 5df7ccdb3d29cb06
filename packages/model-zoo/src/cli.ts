/**
 * CLI: tsx packages/model-zoo/src/cli.ts build [outDir] [--seed N] [--force]
 * Builds (or reuses) the model zoo and prints what it holds.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ZOO_SEED, buildZoo, defaultZooDir } from './zoo.ts';

const USAGE = `usage: model-zoo build [outDir] [--seed N] [--force]
  outDir defaults to $EDGEPROOF_MODEL_ZOO_DIR or <tmpdir>/edgeproof-model-zoo`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, outArg, ...rest] = positionals;
  if (values.help || command !== 'build' || rest.length > 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const seed = values.seed === undefined ? DEFAULT_ZOO_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed must be an integer, got ${values.seed}`);
    return 2;
  }
  const outDir = resolve(outArg ?? defaultZooDir());
  const started = Date.now();
  const manifest = await buildZoo(outDir, { seed, force: values.force, onProgress: (m) => console.log(m) });
  const { files } = manifest;
  console.log(`\nmodel zoo in ${outDir} (builder ${manifest.builderVersion}, seed ${manifest.seed}, built ${manifest.builtAt})`);
  for (const entry of Object.values(files)) {
    console.log(`  ${entry.file.padEnd(26)} ${String(entry.sizeBytes).padStart(9)} bytes  sha256 ${entry.sha256}`);
  }
  console.log(
    `  mnist-mlp: MLP 784-${files.mnistMlp.hidden}-10, ${files.mnistMlp.trainSamples} training digits x ${files.mnistMlp.epochs} epochs, ` +
      `held-out accuracy ${(files.mnistMlp.testAccuracy * 100).toFixed(1)}% on ${files.mnistTest.sampleCount} digits`,
  );
  console.log(`  mnist-mlp-slow: +${files.mnistMlpSlow.extraWork} side-branch layers, identical outputs`);
  const int8Input = files.mnistMlpTfliteInt8.inputs[0]?.quantization;
  console.log(
    `  mnist-mlp*.tflite: the same weights as TFLite (SignatureDef "${files.mnistMlpTflite.signatureKey}"): float32, ` +
      `float32 with a dynamic batch, and int8 (input scale ${int8Input?.scale}, zero point ${int8Input?.zeroPoint})`,
  );
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
