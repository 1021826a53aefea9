/** The authentication deadline of one connection, with a stand-in socket and fake timers. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { RateLimiter } from '../src/limits/rate-limiter.js';
import { createLogger } from '../src/log.js';
import { createServerMetrics } from '../src/modules/metrics/server-metrics.js';
import { Connection } from '../src/ws/connection.js';

/** Records the close code instead of talking to a peer. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  closedWith: number | undefined;
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.emit('close', code);
  }
  send(): void {}
  terminate(): void {}
}

const open = () => {
  const ws = new FakeSocket();
  const conn = new Connection(
    ws as unknown as WebSocket,
    {
      maxFrameBytes: 1024,
      metrics: createServerMetrics({ connections: () => 0, mailboxDepth: () => 0 }),
      logger: createLogger('silent'),
      badFrames: new RateLimiter({ now: () => 0 }, 60),
      handle: async () => {},
    },
    'http://localhost',
  );
  return { ws, conn };
};

describe('authentication deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a connection that does not authenticate in time', () => {
    const { ws, conn } = open();
    conn.closeUnlessAuthenticatedWithin(10_000);
    vi.advanceTimersByTime(10_000);
    expect(ws.closedWith).toBe(1008);
  });

  it('holds no timer once the connection authenticated', () => {
    const { ws, conn } = open();
    conn.closeUnlessAuthenticatedWithin(10_000);
    expect(vi.getTimerCount()).toBe(1);
    conn.authenticated({ account: 'alice', deviceId: 1 });
    expect(conn.awaitingAuthentication).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(20_000);
    expect(ws.closedWith).toBeUndefined();
  });

  it('holds no timer once the connection closed', () => {
    const { ws, conn } = open();
    conn.closeUnlessAuthenticatedWithin(10_000);
    ws.close(1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
