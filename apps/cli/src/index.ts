export { ApiError, EdgeproofClient } from './api-client.ts';
export { renderRunTable } from './render/run-table.ts';
