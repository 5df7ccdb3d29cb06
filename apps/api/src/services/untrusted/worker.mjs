// Entry of a parser worker thread (pool.ts). Plain JavaScript: it registers tsx in this thread (loader
// hooks are per thread on Node 20), then loads the TypeScript tasks.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./tasks.ts');
export default run;
