/**
 * The floor of the relay benchmark: a bare `ws` forwarder in its own process. No auth, no storage, no
 * schema: a socket opened on `/?pair=N&role=s` forwards every binary message as is to the socket opened on
 * `/?pair=N&role=r`; `/?idle` sockets just stay open. `GET /` answers 200 once it listens.
 *
 * Usage: node --import tsx bench/relay/floor.ts --port P
 */
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const portArg = process.argv.indexOf('--port');
const port = Number(portArg >= 0 ? process.argv[portArg + 1] : 0);

const receivers = new Map<string, WebSocket>();
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server: http, maxPayload: 1 << 20 });
wss.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://floor').searchParams;
  const pair = q.get('pair');
  if (pair === null) return; // an idle socket
  if (q.get('role') === 'r') {
    receivers.set(pair, ws);
    ws.on('close', () => {
      if (receivers.get(pair) === ws) receivers.delete(pair);
    });
    return;
  }
  ws.on('message', (data: Buffer, isBinary) => {
    const target = receivers.get(pair);
    if (target !== undefined && target.readyState === WebSocket.OPEN) target.send(data, { binary: isBinary });
  });
});
http.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
