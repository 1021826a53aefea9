/**
 * Vite build of the web client. `@sotto/*` resolve to their TypeScript sources (the `source` export
 * condition), so the browser bundle is built from the same code the tests run. Two heavy SDK imports
 * are swapped for lazy shims so they load only on the sign-in screens: zxcvbn with its dictionaries
 * (src/lib/password-shim.ts) and the OPAQUE WebAssembly (src/lib/opaque-shim.ts). Every text file of the
 * build gets `.br` and `.gz` copies (vite/precompress.ts) for the server to send as they are.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { precompress } from './vite/precompress.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const clientSrc = here('../client/src/');
const passwordShim = here('./src/lib/password-shim.ts');
const opaqueShim = here('./src/lib/opaque-shim.ts');

/**
 * Points two heavy SDK imports at lazy shims (the shims themselves still get the real modules): the
 * SDK's `./password.js` (zxcvbn dictionaries) and `@serenity-kit/opaque` (inlined WebAssembly), which are
 * needed only on the sign-in screens.
 */
function lazySignIn(): Plugin {
  return {
    name: 'sotto-lazy-sign-in',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !importer.startsWith(clientSrc)) return null;
      if (source === './password.js') return passwordShim;
      if (source === '@serenity-kit/opaque') return opaqueShim;
      return null;
    },
  };
}

export default defineConfig({
  root: here('.'),
  plugins: [lazySignIn(), react(), precompress()],
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
    // Everything the first screen loads is one chunk (lazy chunks import from it). Left to itself, the
    // bundler split it into ten small files once the group UI chunk shared some hooks with it, one of
    // them too small to compress (ADR 0018 "Web client").
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: 'app', tags: ['$initial'] }] } },
    },
  },
});
