// State a user would share lives in the URL's query string.
import { useCallback } from "react";
import { useSearchParams } from "react-router-dom";

/** One query-string parameter as state; setting the default removes it from the URL.
 * With `push`, each change is a history entry (Back returns to the previous value). */
export function useUrlParam(name: string, fallback = "", push = false): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? fallback;
  const set = useCallback(
    (next: string) => {
      setParams(
        (current) => {
          const copy = new URLSearchParams(current);
          if (next === fallback || next === "") copy.delete(name);
          else copy.set(name, next);
          return copy;
        },
        { replace: !push },
      );
    },
    [name, fallback, push, setParams],
  );
  return [value, set];
}

/** A comma-separated list in one query parameter. */
export function useUrlList(name: string): [string[], (values: string[]) => void] {
  const [raw, setRaw] = useUrlParam(name);
  const values = raw ? splitList(raw) : [];
  const set = useCallback((next: string[]) => setRaw(joinList(next)), [setRaw]);
  return [values, set];
}

/** Items of a URL list; an item may hold a comma written as `\,`. */
export function splitList(raw: string): string[] {
  return raw
    .split(/(?<!\\),/)
    .map((item) => item.replace(/\\,/g, ","))
    .filter(Boolean);
}

export function joinList(values: readonly string[]): string {
  return values.map((value) => value.replace(/,/g, "\\,")).join(",");
}
