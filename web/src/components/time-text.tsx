import { formatAbsolute, formatRelative } from "../lib/format";

/** A relative time (`2m ago`) with the absolute time in the viewer's zone on hover. */
export function TimeText({ iso, absolute = false }: { iso: string | null | undefined; absolute?: boolean }) {
  if (!iso) return <span className="soft">–</span>;
  const full = formatAbsolute(iso);
  return (
    <time dateTime={iso} title={full}>
      {absolute ? full : formatRelative(iso)}
    </time>
  );
}
