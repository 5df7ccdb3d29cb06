export { ApiError, EdgeproofClient } from '@edgeproof/client';
export { renderRunTable } from './render/run-table.ts';
export { renderVerdictTable } from './render/verdict.ts';
export { renderJunit } from './render/junit.ts';
export { renderMarkdown } from './render/markdown.ts';
export { profileRows, renderProfileCsv, renderProfileTable, type ProfileRow } from './render/profile-results.ts';
export { detectCiContext, ciIdempotencyKey } from './ci-context.ts';
export { buildProgram } from './program.ts';
