/** A QR code of raw bytes, drawn as SVG. Loaded lazily with the `qrcode` library. */
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/** Props of {@link QrCodeView}. */
export interface QrCodeProps {
  readonly payload: Uint8Array;
  readonly label: string;
}

/** The code as an image (byte mode, error correction M). */
export default function QrCodeView({ payload, label }: QrCodeProps) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    let live = true;
    const segments = [{ data: payload as unknown as Uint8ClampedArray, mode: 'byte' as const }];
    QRCode.toString(segments, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
      (svg) => {
        if (live) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [payload]);
  return src === '' ? null : <img className="qr" src={src} alt={label} width={220} height={220} />;
}
