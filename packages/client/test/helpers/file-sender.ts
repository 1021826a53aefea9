/**
 * A sending process for the restart test, run with `node --conditions=source --import tsx`: opens the
 * profile at STORE (a SQLite file with a key file), connects to URL and sends the file at PATH to TO,
 * printing one JSON line per progress event and one when done. The test kills it with SIGKILL mid-upload.
 */
import { createNodeProvider } from '@sotto/crypto';
import { createClient, fileFromPath, openSqliteStore } from '../../src/index.js';

const [storePath, url, path, to] = process.argv.slice(2);
if (storePath === undefined || url === undefined || path === undefined || to === undefined) {
  process.stderr.write('usage: file-sender STORE URL PATH TO\n');
  process.exit(2);
}
const provider = createNodeProvider();
const store = await openSqliteStore({ path: storePath, provider });
const client = createClient({ server: url, store, provider, reconnect: { minDelayMs: 50, maxDelayMs: 500 } });
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
client.on('file-progress', (e) => say({ progress: e.bytes }));
await client.connect();
const result = await client.sendFile(to, await fileFromPath(path));
say({ done: result.messageId });
await client.close();
await store.close();
