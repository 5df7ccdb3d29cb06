export { ApiError, EdgeproofClient } from './api-client.ts';
export { renderRunTable } from './render/run-table.ts';
export { renderVerdictTable } from './render/verdict.ts';
export { renderJunit } from './render/junit.ts';
export { renderMarkdown } from './render/markdown.ts';
export { detectCiContext, ciIdempotencyKey } from './ci-context.ts';
export { buildProgram } from './program.ts';
