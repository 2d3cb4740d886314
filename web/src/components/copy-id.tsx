import { shortId } from "../lib/format";
import { showToast } from "../lib/toast-store";

/** A job id in monospace, shortened (to `length` characters), copied in full on click. */
export function CopyId({ id, full = false, length }: { id: string; full?: boolean; length?: number }) {
  const copy = async (event: React.MouseEvent) => {
    event.stopPropagation();
    event.preventDefault();
    try {
      await navigator.clipboard.writeText(id);
      showToast({ kind: "success", title: "Copied", message: `job id ${id}` }, 2000);
    } catch {
      showToast({ kind: "info", title: "Copy the id by hand", message: id });
    }
  };
  return (
    <button type="button" className="link mono" onClick={copy} title={`${id} (click to copy)`} aria-label={`Copy job id ${id}`}>
      {full ? id : shortId(id, length)}
    </button>
  );
}
