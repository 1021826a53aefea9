// Type-level checks: run `npx tsc -p packages/protocol/test/tsconfig.json` (vitest only runs the values).
import type {
  ClientFrame,
  ErrorCode,
  Frame,
  FrameOf,
  Infer,
  PrekeyBundle,
  registerFinishRequest,
  ServerFrame,
} from '@sotto/protocol';
import { describe, expectTypeOf, it } from 'vitest';

describe('inferred types', () => {
  it('frames are inferred from their schemas with optional fields optional', () => {
    expectTypeOf<FrameOf<'send'>>().toEqualTypeOf<{
      t: 'send';
      id: number;
      to: string;
      messages: { account: string; deviceId: number; body: Uint8Array }[];
    }>();
    expectTypeOf<FrameOf<'error'>['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<PrekeyBundle['oneTimePrekey']>().toEqualTypeOf<Uint8Array | undefined>();
    expectTypeOf<FrameOf<'presence.set'>['state']>().toEqualTypeOf<'online' | 'away' | 'busy' | 'offline'>();
    expectTypeOf<Infer<typeof registerFinishRequest>['backup']>().toEqualTypeOf<Uint8Array>();
  });

  it('the unions are discriminated by t and split by sender', () => {
    expectTypeOf<Extract<Frame, { t: 'envelope' }>>().toEqualTypeOf<FrameOf<'envelope'>>();
    expectTypeOf<Extract<ClientFrame, { t: 'envelope' }>>().toBeNever();
    expectTypeOf<Extract<ServerFrame, { t: 'send' }>>().toBeNever();
    expectTypeOf<Extract<ClientFrame, { t: 'ping' }>>().toEqualTypeOf<FrameOf<'ping'>>();
  });
});
