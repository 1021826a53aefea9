/**
 * The ts-mls configuration of a Sotto group: the member authentication service (device lists), key
 * retention bounded like 1:1 sessions, a few past epochs kept for late messages, and the GroupContext
 * extensions every group carries.
 */

import {
  type AuthenticationService,
  type ClientConfig,
  defaultKeyPackageEqualityConfig,
  defaultPaddingConfig,
  type Extension,
  encodeRequiredCapabilities,
} from 'ts-mls';
import { KEY_PACKAGE_LIFETIME_S } from './key-package.js';
import { GROUP_METADATA_EXTENSION, type GroupMetadata, groupMetadataExtension } from './metadata.js';

/** Skipped message keys kept per sender (a withheld message delivered later can still be read). */
export const RETAINED_GENERATIONS = 32;
/** The furthest one sender's ratchet may jump forward in one message (Sotto's 1:1 bound). */
export const MAX_FORWARD_STEPS = 2000;
/**
 * Past epochs whose receiving keys are kept. The server delivers a device's envelopes in order, but a
 * device that catches up from the log (after STALE_EPOCH) applies commits before the messages of the
 * older epoch still on their way to it; those stay readable for this many epochs.
 */
export const RETAINED_EPOCHS = 2;

/** The ts-mls client configuration for a group, with `auth` deciding credentials. */
export function groupClientConfig(auth: AuthenticationService): ClientConfig {
  return {
    keyRetentionConfig: {
      retainKeysForGenerations: RETAINED_GENERATIONS,
      retainKeysForEpochs: RETAINED_EPOCHS,
      maximumForwardRatchetSteps: MAX_FORWARD_STEPS,
    },
    lifetimeConfig: {
      maximumTotalLifetime: BigInt(KEY_PACKAGE_LIFETIME_S + 2 * 3600),
      validateLifetimeOnReceive: false,
    },
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: defaultPaddingConfig,
    authService: auth,
  };
}

/** The required-capabilities extension: every leaf supports basic credentials and the Sotto metadata. */
export function requiredCapabilitiesExtension(): Extension {
  return {
    extensionType: 'required_capabilities',
    extensionData: encodeRequiredCapabilities({
      extensionTypes: [GROUP_METADATA_EXTENSION],
      proposalTypes: [],
      credentialTypes: ['basic'],
    }),
  };
}

/** The GroupContext extensions of a group with `metadata`. */
export function groupExtensions(metadata: GroupMetadata): Extension[] {
  return [requiredCapabilitiesExtension(), groupMetadataExtension(metadata)];
}
