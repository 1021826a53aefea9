/**
 * Two unattended profiles (alice and bob) registered on one server and made contacts, and a way to run
 * `sotto` in a profile that must succeed: the common setup of the file-transfer tests.
 */
import { type RunResult, runSotto } from './sotto.js';

/** Runs `sotto args… --profile profile` and throws with its stderr unless it exits 0. */
export async function okIn(profile: string, args: readonly string[]): Promise<RunResult> {
  const r = await runSotto([...args, '--profile', profile]);
  if (r.code !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Registers alice in `alice` and bob in `bob` (unattended profiles) at `server`, and makes them contacts. */
export async function registerPair(
  server: string,
  alice: string,
  bob: string,
  password: string,
): Promise<void> {
  for (const [name, dir] of [
    ['alice', alice],
    ['bob', bob],
  ] as const) {
    const r = await runSotto(
      ['register', '--name', name, '--server', server, '--profile', dir, '--unattended'],
      {
        env: { SOTTO_PASSWORD: password },
      },
    );
    if (r.code !== 0) throw new Error(r.stderr);
  }
  await okIn(alice, ['contacts', 'add', 'bob']);
  await okIn(bob, ['contacts', 'accept', 'alice']);
}
