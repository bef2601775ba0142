import { defineConfig } from 'vite';

// Served by oracle-api at /console (apps/oracle-api/src/operator/console): asset URLs are absolute under it.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
});
