import { useEffect, useMemo, useRef, useState } from "react";
import type { Keys } from "../../lib/api/types";
import { applyCompletion, complete, renameField, unknownFields, type Completion } from "../../lib/query-text";

export interface QueryBoxProps {
  value: string;
  keys: Keys | undefined;
  onSubmit: (query: string) => void;
  /** A parse error from the server: its message and the position it points at. */
  error?: { message: string; position?: number } | null;
}

/** The filter query box: completion of fields and keys, Enter applies, Escape reverts;
 * `/` anywhere on the page focuses it. A field the project does not have is named under
 * the box with the nearest known names (a click applies one); a parse error shows instead. */
export function QueryBox({ value, keys, onSubmit, error }: QueryBoxProps) {
  const [text, setText] = useState(value);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setText(value), [value]);
  const unknown = useMemo(() => (keys && value ? unknownFields(value, keys) : []), [value, keys]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const update = (next: string, cursor: number) => {
    setText(next);
    const found = keys ? complete(next, cursor, keys) : null;
    setCompletion(found && found.options.length ? found : null);
    setActive(0);
  };

  const accept = (option: string) => {
    if (!completion) return;
    const applied = applyCompletion(text, completion, option);
    setText(applied.text);
    setCompletion(null);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(applied.cursor, applied.cursor);
    });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (completion) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive((i) => (i + step + completion.options.length) % completion.options.length);
        return;
      }
      if (event.key === "Tab" || (event.key === "Enter" && completion.options[active])) {
        event.preventDefault();
        accept(completion.options[active] ?? "");
        return;
      }
      if (event.key === "Escape") {
        setCompletion(null);
        return;
      }
    }
    if (event.key === "Enter") {
      event.preventDefault();
      onSubmit(text.trim());
    } else if (event.key === "Escape") {
      setText(value);
      input.current?.blur();
    }
  };

  return (
    <div className="query-box">
      <label htmlFor="query-box" className="sr-only">
        Filter jobs
      </label>
      <input
        id="query-box"
        ref={input}
        role="combobox"
        aria-expanded={completion !== null}
        aria-controls="query-completions"
        aria-autocomplete="list"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "query-error" : undefined}
        className="mono"
        value={text}
        spellCheck={false}
        autoComplete="off"
        placeholder='Filter: params.lr < 0.01 and status = "completed"   (press / to focus)'
        onChange={(e) => update(e.target.value, e.target.selectionStart ?? e.target.value.length)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setCompletion(null), 150)}
      />
      <button type="button" onClick={() => onSubmit(text.trim())}>
        Apply
      </button>
      {completion ? (
        <ul id="query-completions" role="listbox" className="popover menu-list completions" aria-label="Completions">
          {completion.options.map((option, i) => (
            <li
              key={option}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(option);
              }}
            >
              {option}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <div id="query-error" className="query-error" role="alert" data-testid="query-error">
          <pre className="mono">{error.message}</pre>
        </div>
      ) : unknown.length ? (
        <div className="query-warning" role="status" data-testid="query-warning">
          {unknown.map(({ field, suggestions }) => (
            <p key={field}>
              This project has no <code>{field}</code>
              {suggestions.length ? (
                <>
                  : did you mean{" "}
                  {suggestions.map((name, i) => (
                    <span key={name}>
                      {i > 0 ? (i === suggestions.length - 1 ? " or " : ", ") : null}
                      <button type="button" className="link mono" onClick={() => onSubmit(renameField(value, field, name))}>
                        {name}
                      </button>
                    </span>
                  ))}
                  ?
                </>
              ) : (
                "; it matches no job."
              )}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
