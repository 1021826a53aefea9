/** The call UI, loaded on demand (a dynamic import) so the first screen's JavaScript does not grow. */
export { CallScreen, type CallScreenProps } from './CallScreen.js';
