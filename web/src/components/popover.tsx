import { useEffect, useId, useRef, useState, type ReactNode } from "react";

export interface PopoverProps {
  label: ReactNode;
  /** The button's accessible name when `label` is an icon. */
  ariaLabel?: string;
  className?: string;
  align?: "left" | "right";
  children: (close: () => void) => ReactNode;
  testId?: string;
}

/** A button that opens a panel below it; Escape or a click outside closes it. */
export function Popover({ label, ariaLabel, className, align = "left", children, testId }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLSpanElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <span ref={root} className="popover-root">
      <button type="button" className={className} aria-label={ariaLabel} aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)} data-testid={testId}>
        {label}
      </button>
      {open ? (
        <div id={id} className="popover" role="dialog" aria-label={ariaLabel} style={align === "right" ? { right: 0 } : { left: 0 }}>
          {children(() => setOpen(false))}
        </div>
      ) : null}
    </span>
  );
}
