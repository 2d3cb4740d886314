import { useEffect, useId, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from "react";
import { createPortal } from "react-dom";

export interface PopoverProps {
  label: ReactNode;
  /** The button's accessible name when `label` is an icon. */
  ariaLabel?: string;
  className?: string;
  align?: "left" | "right";
  children: (close: () => void) => ReactNode;
  testId?: string;
  /** Whether the button is disabled, and why (its tooltip). */
  disabled?: boolean;
  title?: string;
  /** -1 keeps the button out of the tab order (a grid's header that is one tab stop). */
  tabIndex?: number;
}

const GAP = 4;

/** A button that opens a panel below it (above when there is no room), drawn over
 * everything so that no scrolling or clipped container cuts it; Escape or a click outside
 * closes it and gives the focus back to the button. */
export function Popover({ label, ariaLabel, className, align = "left", children, testId, disabled, title, tabIndex }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<CSSProperties>({ visibility: "hidden" });
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  useLayoutEffect(() => {
    if (!open || !button.current || !panel.current) return;
    const anchor = button.current.getBoundingClientRect();
    const box = panel.current.getBoundingClientRect();
    const below = anchor.bottom + GAP + box.height <= window.innerHeight || anchor.top < box.height + GAP;
    const top = below ? anchor.bottom + GAP : anchor.top - GAP - box.height;
    const wanted = align === "right" ? anchor.right - box.width : anchor.left;
    const left = Math.max(GAP, Math.min(wanted, window.innerWidth - box.width - GAP));
    setStyle({ position: "fixed", top: Math.max(GAP, top), left });
  }, [open, align]);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!button.current?.contains(target) && !panel.current?.contains(target)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close();
    };
    const onScroll = (event: Event) => {
      if (!panel.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    window.addEventListener("scroll", onScroll, true);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
      window.removeEventListener("scroll", onScroll, true);
    };
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        className={className}
        aria-label={ariaLabel}
        aria-expanded={open}
        disabled={disabled}
        title={title}
        tabIndex={tabIndex}
        aria-controls={open ? id : undefined}
        onClick={() => {
          setStyle({ visibility: "hidden", position: "fixed", top: 0, left: 0 });
          setOpen((o) => !o);
        }}
        data-testid={testId}
      >
        {label}
      </button>
      {open
        ? createPortal(
            <div ref={panel} id={id} className="popover" role="dialog" aria-label={ariaLabel} style={style}>
              {children(close)}
            </div>,
            document.body,
          )
        : null}
    </>
  );
}
