import { buildApp } from './app.ts';
import { loadEnv } from './env.ts';

const config = loadEnv();
const app = await buildApp(config);
await app.listen({ host: config.HOST, port: config.PORT });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}
