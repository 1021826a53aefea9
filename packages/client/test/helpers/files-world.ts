/**
 * The world of the file-transfer tests: a real server behind the proxy (which can cut HTTP connections
 * part-way), with its data dir to search for plaintext. INTERIM: until the server's files module is on
 * main, the files part of the contract is served by `fake-files.ts` (its files under the data dir).
 */
import { join } from 'node:path';
import { fakeFiles } from './fake-files.js';
import { type MaliciousProxy, startMaliciousProxy } from './malicious-proxy.js';
import { startTestServer, type TestServer } from './world.js';

/** A server for file tests, reached through a proxy. */
export interface FilesWorld {
  /** The URL clients use (the proxy). */
  readonly url: string;
  readonly server: TestServer;
  readonly proxy: MaliciousProxy;
  stop(): Promise<void>;
}

/** Starts a real server behind a proxy (and, for now, the interim files service). */
export async function startFilesWorld(): Promise<FilesWorld> {
  const proxy = await startMaliciousProxy();
  const server = await startTestServer({ publicOrigin: proxy.url });
  proxy.target(server.url);
  const fake = await fakeFiles(join(server.dataDir, 'files'));
  proxy.hooks = { fromClient: fake.fromClient };
  proxy.http = { route: (req) => (req.url?.startsWith('/v1/files') === true ? fake.url : undefined) };
  return {
    url: proxy.url,
    server,
    proxy,
    stop: async () => {
      await proxy.close();
      await fake.close();
      await server.stop();
    },
  };
}
