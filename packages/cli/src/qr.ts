/**
 * Terminal rendering of a safety number: the 60 digits as 3 rows of 4 groups, and the QR payload bytes as
 * a terminal QR code (half-block characters, `qrcode`'s `small` mode).
 */
import QRCode from 'qrcode';

/** `digits` as rows of four 5-digit groups. */
export function digitRows(digits: string): string[] {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 5) groups.push(digits.slice(i, i + 5));
  const rows: string[] = [];
  for (let i = 0; i < groups.length; i += 4) rows.push(groups.slice(i, i + 4).join(' '));
  return rows;
}

/** The QR code of `payload` (binary, byte mode) as terminal text. */
export function terminalQr(payload: Uint8Array): Promise<string> {
  return QRCode.toString([{ data: payload, mode: 'byte' }], { type: 'terminal', small: true });
}
