// A value that changes often and that a few components far apart read (the smoothing control's
// value while it moves, the job hovered in a table row or a chart): they subscribe to it
// directly, so a change re-renders or redraws them and nothing between them.
import { useSyncExternalStore } from "react";

export interface ValueSource<T> {
  get: () => T;
  /** Calls `listener` after each change; returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void;
}

export interface ValueStore<T> extends ValueSource<T> {
  /** Sets the value and tells the listeners (nothing when it is the same value). */
  set: (value: T) => void;
}

export function valueStore<T>(initial: T): ValueStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set: (next) => {
      if (Object.is(next, value)) return;
      value = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

const never = () => () => undefined;

/** The store's value (re-rendering on each change), or `fallback` without a store. */
export function useValue<T>(source: ValueSource<T> | null | undefined, fallback: T): T {
  return useSyncExternalStore(source ? source.subscribe : never, source ? source.get : () => fallback);
}

/** Whether the store holds `value`: re-renders only when that answer flips (a row among
 * hundreds re-renders when it becomes or stops being the hovered one, the others do not). */
export function useValueIs<T>(source: ValueSource<T> | null | undefined, value: T): boolean {
  return useSyncExternalStore(source ? source.subscribe : never, () => (source ? Object.is(source.get(), value) : false));
}
