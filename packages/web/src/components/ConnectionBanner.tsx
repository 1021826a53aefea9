/** Says when the client is offline; the SDK reconnects by itself. */

/** Props of {@link ConnectionBanner}. */
export interface ConnectionBannerProps {
  readonly online: boolean;
}

/** Nothing when online; a status line while reconnecting. */
export function ConnectionBanner({ online }: ConnectionBannerProps) {
  return (
    <div
      className={`connection ${online ? 'is-online' : 'is-offline'}`}
      role="status"
      data-testid="connection"
    >
      {online ? 'Connected' : 'Offline — reconnecting…'}
    </div>
  );
}
