import { useRef } from "react";

/** A ref that always holds the latest `value`: effects read callbacks the parent passes
 * through it, so a parent's new function on each render does not redraw a chart. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
