/** Messages between the feature harness page and the feature's worker (feature-realm.ts). */
export interface RealmFrame {
  format: 'I420' | 'RGBA';
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  colorSpace?: unknown;
  timestampMs: number;
  index: number;
}

export type RealmRequest =
  | { id: number; type: 'load'; bundleUrl: string; threads: number }
  | { id: number; type: 'init'; modelUrls: Record<string, string>; settings: unknown }
  | { id: number; type: 'process'; frame: RealmFrame }
  | { id: number; type: 'dispose' }
  | { id: number; type: 'versions' };

export type RealmReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: 'invalid_feature' | 'failed'; message: string };

export interface RealmVersions {
  runtimeVersion: string;
  threads: number;
  litertVersion?: string;
}
