import fp from 'fastify-plugin';
import type { Principal } from './auth.ts';
import { ChangeFeed, type Change } from '../services/cache/change-feed.ts';
import { deliverLocally } from '../services/cache/changes.ts';
import { ReadCache } from '../services/cache/read-cache.ts';
import type { CachedAnswer } from '../services/gating/approved-reads.ts';

/** An active token as the auth hook checks it on every request. */
export interface CachedToken {
  principal: Principal;
  expiresAtMs: number | null;
  /** when this process last wrote (or read) the token's lastUsedAt */
  lastUsedAtMs: number;
}

export interface ReadCaches {
  feed: ChangeFeed;
  /** group: model name; key: scope and base URL */
  approved: ReadCache<CachedAnswer>;
  /** group: `app\nappVersion` */
  releases: ReadCache<CachedAnswer>;
  /** group: token hash */
  tokens: ReadCache<CachedToken>;
}

declare module 'fastify' {
  interface FastifyInstance {
    readCaches: ReadCaches;
  }
}

export interface ReadCacheOptions {
  databaseUrl: string;
}

/**
 * In-process caches for the reads apps and agents make most (approved builds, release manifests,
 * token checks), kept correct across replicas by Postgres LISTEN/NOTIFY (services/cache).
 */
export default fp<ReadCacheOptions>(
  async (app, opts) => {
    const feed = new ChangeFeed({ connectionString: opts.databaseUrl, log: app.log });
    const caches: ReadCaches = { feed, approved: new ReadCache(feed), releases: new ReadCache(feed), tokens: new ReadCache(feed) };
    const byTopic = { approval: caches.approved, release: caches.releases, token: caches.tokens } as const;
    feed.subscribe({
      change: (c: Change) => {
        const cache = byTopic[c.topic];
        if (cache) cache.invalidate(c.key);
        // a topic this version does not know: a newer replica's change, whatever it touched
        else for (const each of Object.values(byTopic)) each.clear();
      },
      reset: () => {
        for (const each of Object.values(byTopic)) each.clear();
      },
    });
    deliverLocally(app.db, (c) => feed.deliver(c));
    await feed.start();
    app.decorate('readCaches', caches);
    app.addHook('onClose', () => feed.close());
  },
  { name: 'read-cache', dependencies: ['db'] },
);
