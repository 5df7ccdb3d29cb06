import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const outDir = fileURLToPath(new URL('./dist', import.meta.url));

/** Writes .br and .gz next to each text asset; the API sends them to browsers that accept them. */
function precompress(): Plugin {
  return {
    name: 'edgeproof-precompress',
    apply: 'build',
    async closeBundle() {
      const files = await readdir(outDir, { recursive: true });
      await Promise.all(
        files
          .filter((f) => /\.(js|css|html|svg|json)$/.test(f))
          .map(async (f) => {
            const path = join(outDir, f);
            const bytes = await readFile(path);
            await writeFile(`${path}.br`, await promisify(brotliCompress)(bytes));
            await writeFile(`${path}.gz`, await promisify(gzip)(bytes, { level: 9 }));
          }),
      );
    },
  };
}

// `npm run dev -w @edgeproof/web` serves the page with hot reload and forwards /v1 to the API
// (EDGEPROOF_API_URL, default the API's default port); in production the API serves dist/ itself.
export default defineConfig({
  plugins: [react(), precompress()],
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: { '/v1': { target: process.env.EDGEPROOF_API_URL ?? 'http://127.0.0.1:8080', changeOrigin: true } },
  },
});
