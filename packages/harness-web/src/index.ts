export {
  startHarnessServer,
  ISOLATION_HEADERS,
  type HarnessServer,
  type HarnessServerOptions,
  type HarnessJobFiles,
  type HostedJob,
  type HostedFiles,
  type HostedFileSet,
} from './server.ts';
export { bundleHarnessScript, litertVersion, litertWasmDir, ortDistDir } from './bundle.ts';
export { encodeInputSets, decodeInputSets, type PackedSet, type PackedTensor, type PackedData } from './input-pack.ts';
export * from './protocol.ts';
export * from './feature-protocol.ts';
