import { open, readFile } from 'node:fs/promises';
import type { FeaturePlatform } from '@edgeproof/contracts';

const REQUIRED_EXPORTS = ['init', 'process', 'dispose'] as const;
const WEB_MAX_BYTES = 64 * 1024 * 1024;

/** Names an ES module exports, read from its text: `export { a, b as c }` and `export [async] function|const|let|class x`. */
export function exportedNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  for (const m of source.matchAll(/export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/g)) {
    if (m[1]) names.add(m[1]);
  }
  return names;
}

/**
 * Checks that an uploaded file can be the feature build it claims to be: a web build is one UTF-8 ES
 * module with no static imports exporting init, process and dispose; an Android build is an APK (a zip
 * with AndroidManifest.xml). Returns a reason when it cannot, else null.
 */
export async function checkFeatureBuild(path: string, platform: FeaturePlatform, sizeBytes: number): Promise<string | null> {
  if (platform === 'web') {
    if (sizeBytes > WEB_MAX_BYTES) return `a web feature bundle must be at most ${WEB_MAX_BYTES} bytes`;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
    } catch {
      return 'a web feature bundle must be UTF-8 JavaScript text';
    }
    if (/^\s*import\s*[\w{*'"]/m.test(text)) return 'a web feature bundle must be one ES module without imports (bundle its dependencies)';
    const names = exportedNames(text);
    const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
    if (missing.length) return `the bundle does not export ${missing.map((n) => `${n}()`).join(', ')} (the feature contract needs init, process and dispose)`;
    return null;
  }
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (head.readUInt32LE(0) !== 0x04034b50) return 'an Android feature build must be an APK (a zip file)';
  } finally {
    await handle.close();
  }
  const bytes = await readFile(path);
  if (!bytes.includes(Buffer.from('AndroidManifest.xml'))) return 'the APK has no AndroidManifest.xml';
  return null;
}
