/** Line icons drawn inline (no icon font, no emoji font needed), sized by the text around them. */

const PATHS = {
  attach: [
    'M20 11.5 12 19.5a5 5 0 0 1-7-7L13.5 4a3.4 3.4 0 0 1 4.9 4.9L10 17.3a1.7 1.7 0 0 1-2.4-2.4L15 7.5',
  ],
  file: ['M6 2.5h8l5 5v14H6z', 'M14 2.5v5h5'],
  image: ['M3.5 4.5h17v15h-17z', 'M3.5 16l5-5 4 4 3-3 5 5', 'M16 8.5h.01'],
  audio: ['M9 18V5.5l11-2V16', 'M9 18a3 3 0 1 1-3-3 3 3 0 0 1 3 3z', 'M20 16a3 3 0 1 1-3-3 3 3 0 0 1 3 3z'],
  video: ['M3 6h12v12H3z', 'M15 10l6-3.5v11L15 14'],
  archive: ['M4 3.5h16v17H4z', 'M12 3.5v2m0 2v2m0 2v2', 'M10.5 14h3v3h-3z'],
  download: ['M12 3.5v12', 'M7 10.5l5 5 5-5', 'M5 20.5h14'],
  phone: ['M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2'],
} as const;

/** The icons there are. */
export type IconName = keyof typeof PATHS;

/** One icon, hidden from assistive technology (the control around it carries the label). */
export function Icon({ name, className }: { readonly name: IconName; readonly className?: string }) {
  return (
    <svg
      className={`icon${className === undefined ? '' : ` ${className}`}`}
      viewBox="0 0 24 24"
      width="1.25em"
      height="1.25em"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
