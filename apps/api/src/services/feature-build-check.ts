import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { FeaturePlatform } from '@edgeproof/contracts';
import { init, parse } from 'es-module-lexer';

const REQUIRED_EXPORTS = ['init', 'process', 'dispose'] as const;
const WEB_MAX_BYTES = 64 * 1024 * 1024;
const MANIFEST_NAME = Buffer.from('AndroidManifest.xml');

/**
 * Checks that an uploaded file can be the feature build it claims to be: a web build is one UTF-8 ES
 * module with no static imports exporting init, process and dispose; an Android build is an APK (a zip
 * with AndroidManifest.xml). Returns a reason when it cannot, else null. Linear in the file: the module
 * is read by es-module-lexer (one pass), the APK is searched as a stream.
 */
export async function checkFeatureBuild(path: string, platform: FeaturePlatform, sizeBytes: number): Promise<string | null> {
  if (platform === 'web') return checkWebBundle(path, sizeBytes);
  return checkApk(path);
}

async function checkWebBundle(path: string, sizeBytes: number): Promise<string | null> {
  if (sizeBytes > WEB_MAX_BYTES) return `a web feature bundle must be at most ${WEB_MAX_BYTES} bytes`;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
  } catch {
    return 'a web feature bundle must be UTF-8 JavaScript text';
  }
  await init();
  let lexed: ReturnType<typeof parse>;
  try {
    lexed = parse(text, 'feature bundle');
  } catch (err) {
    return `the bundle is not a JavaScript module that parses (${(err as Error).message.split('\n')[0]})`;
  }
  const [imports, exports] = lexed;
  const fixed = imports.find((i) => i.type === 'static' || i.type === 'reexport-star');
  if (fixed) return `a web feature bundle must be one ES module without imports (bundle its dependencies; it imports "${fixed.specifier}")`;
  const names = new Set(exports.flatMap((e) => (e.type === 'direct' ? [e.name] : [])));
  const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
  if (missing.length) return `the bundle does not export ${missing.map((n) => `${n}()`).join(', ')} (the feature contract needs init, process and dispose)`;
  return null;
}

async function checkApk(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.readUInt32LE(0) !== 0x04034b50) return 'an Android feature build must be an APK (a zip file)';
  } finally {
    await handle.close();
  }
  return (await streamIncludes(path, MANIFEST_NAME)) ? null : 'the APK has no AndroidManifest.xml';
}

/** Whether the file contains `needle`, read in chunks (a match across two chunks counts). */
async function streamIncludes(path: string, needle: Buffer): Promise<boolean> {
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    const window: Buffer = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}
