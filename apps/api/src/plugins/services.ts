import fp from 'fastify-plugin';
import type { AppConfig } from '../app.ts';
import { ArtifactStore } from '../services/artifact-store.ts';
import { ensureAdminToken } from '../services/tokens.ts';
import { DeviceWatchdog } from '../services/device-watchdog.ts';
import { startLoop } from '../services/leader.ts';
import { Reconciler } from '../services/reconciler.ts';

declare module 'fastify' {
  interface FastifyInstance {
    artifacts: ArtifactStore;
    config: AppConfig;
    watchdog: DeviceWatchdog;
    /** finishes runs and gates that could not reach an end on their own; advances open gates */
    reconciler: Reconciler;
    /** absolute base URL used in links (download URLs) */
    publicUrl(): string;
  }
}

export default fp<AppConfig>(
  async (app, config) => {
    const artifacts = new ArtifactStore(config.ARTIFACT_ROOT, config.MAX_ARTIFACT_BYTES);
    await artifacts.init();
    app.decorate('artifacts', artifacts);
    app.decorate('config', config);
    app.decorate('publicUrl', () => {
      if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '');
      const addr = app.server.address();
      if (!addr || typeof addr === 'string') return '';
      return `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    });
    if (config.EDGEPROOF_ADMIN_TOKEN !== undefined && config.EDGEPROOF_ADMIN_TOKEN.length < 32) throw new Error('EDGEPROOF_ADMIN_TOKEN: at least 32 characters');
    if (config.EDGEPROOF_ADMIN_TOKEN) await ensureAdminToken(app.db, config.EDGEPROOF_ADMIN_TOKEN, app.log);

    const watchdog = new DeviceWatchdog(app.db, app.queues, app.log, {
      offlineAfterMs: config.DEVICE_OFFLINE_AFTER_MS,
      rerouteTimeoutMs: config.REROUTE_TIMEOUT_MS,
    });
    app.decorate('watchdog', watchdog);
    const reconciler = new Reconciler(app.db, app.queues, app.log);
    app.decorate('reconciler', reconciler);
    if (config.startWatchdog !== false) {
      // every replica runs the loop; each tick runs on one replica at a time (services/leader.ts)
      const loop = startLoop(
        'background loop (device watchdog, reconciler)',
        config.WATCHDOG_INTERVAL_MS,
        async () => {
          // independent: a watchdog pass that fails (Redis down) does not hold up finishing runs and gates
          await watchdog.tick().catch((err: unknown) => app.log.error({ err }, 'device watchdog failed'));
          await reconciler.tick();
        },
        app.log,
      );
      app.addHook('onClose', () => loop.stop());
    }
  },
  { name: 'services', dependencies: ['db', 'queues'] },
);
