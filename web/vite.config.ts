import { fileURLToPath } from "node:url";

import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// The build lands inside the Python package, which serves it at `/` (src/consenso/api/app.py).
const outDir = fileURLToPath(new URL("../src/consenso/web", import.meta.url));

export default defineConfig({
  plugins: [svelte()],
  base: "/",
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    // The server's CSP allows only same-origin files: never inline a script, a style or an asset.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev`: the Vite dev server proxies the API to a running `consenso serve`
    proxy: {
      "/api": process.env.CONSENSO_URL ?? "http://127.0.0.1:8000",
    },
  },
});
