import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Vite's esbuild does not emit decorator metadata, which Nest's DI reads; SWC does.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    globals: true,
    environment: 'node',
    include: ['test/**/*.consumer-spec.ts'],
  },
});
