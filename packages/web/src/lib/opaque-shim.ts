/**
 * Replaces `@serenity-kit/opaque` for the SDK in the browser bundle (see vite.config.ts): its WebAssembly
 * (~400 KB inlined) is needed only to register or log in, so it loads on the first `await opaque.ready`
 * instead of with the page. The SDK awaits `ready` before every use of `client`, which this relies on.
 */
type Opaque = typeof import('@serenity-kit/opaque');

let mod: Opaque | undefined;
let loading: Promise<Opaque> | undefined;

function load(): Promise<Opaque> {
  loading ??= import('@serenity-kit/opaque').then(async (m) => {
    await m.ready;
    mod = m;
    return m;
  });
  return loading;
}

function loaded(): Opaque {
  if (mod === undefined) throw new Error('OPAQUE used before `ready` resolved');
  return mod;
}

/** A thenable: awaiting it loads the library (once). */
export const ready: PromiseLike<void> = {
  // biome-ignore lint/suspicious/noThenProperty: this object is deliberately awaitable, like the library's `ready`
  then: (onFulfilled, onRejected) =>
    load()
      .then(() => undefined)
      .then(onFulfilled, onRejected),
};

/** The client half of OPAQUE, delegating to the loaded library. */
export const client: Opaque['client'] = {
  startRegistration: (a) => loaded().client.startRegistration(a),
  finishRegistration: (a) => loaded().client.finishRegistration(a),
  startLogin: (a) => loaded().client.startLogin(a),
  finishLogin: (a) => loaded().client.finishLogin(a),
};
