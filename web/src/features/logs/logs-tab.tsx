import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import * as api from "../../lib/api/endpoints";
import { isLive } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { appendLines, parseAnsi, stripAnsi } from "../../lib/ansi";
import { formatBytes } from "../../lib/format";
import { showError } from "../../lib/toast-store";
import { useUrlParam } from "../../lib/url-state";

const TAIL_BYTES = 8 * 1024 * 1024;
const LINE_HEIGHT = 19;

interface LogState {
  lines: string[];
  partial: string;
  offset: number;
  /** Bytes before the first one loaded (a very long log opens at its tail). */
  skipped: number;
  loaded: boolean;
}

/** Follows a job's log from where it was read, polling while the job may still write. */
function useLog(job: Job): LogState {
  const [state, setState] = useState<LogState>({ lines: [], partial: "", offset: 0, skipped: 0, loaded: false });
  const live = isLive(job);
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const controller = new AbortController();
    let current: LogState = { lines: [], partial: "", offset: -1, skipped: 0, loaded: false };
    const decoder = new TextDecoder();
    const tick = async () => {
      try {
        if (current.offset < 0) {
          const head = await api.readLog(job.id, 0, controller.signal, TAIL_BYTES);
          if (head.size > head.bytes.byteLength) {
            // A long log opens at its tail: the last TAIL_BYTES, from its first whole line.
            const start = Math.max(0, head.size - TAIL_BYTES);
            const tail = await api.readLog(job.id, start, controller.signal);
            const text = decoder.decode(tail.bytes, { stream: true });
            const firstBreak = text.indexOf("\n");
            current = { ...appendLines([], "", firstBreak >= 0 ? text.slice(firstBreak + 1) : text), offset: start + tail.bytes.byteLength, skipped: start, loaded: true };
          } else {
            current = { ...appendLines([], "", decoder.decode(head.bytes, { stream: true })), offset: head.bytes.byteLength, skipped: 0, loaded: true };
          }
        } else {
          const piece = await api.readLog(job.id, current.offset, controller.signal);
          if (piece.bytes.byteLength > 0) {
            const appended = appendLines(current.lines, current.partial, decoder.decode(piece.bytes, { stream: true }));
            current = { ...current, ...appended, offset: current.offset + piece.bytes.byteLength };
          }
        }
        if (!stopped) setState(current);
      } catch (error) {
        if (!stopped) showError(error, "Reading the log");
        if (!stopped) setState({ ...current, loaded: true });
      }
      if (!stopped && (live || !current.loaded)) timer = window.setTimeout(tick, 1000);
    };
    void tick();
    return () => {
      stopped = true;
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [job.id, live]);
  return state;
}

/** The log: ANSI colours, virtualised for a million lines, follow, search, download. */
export function LogsTab({ job }: { job: Job }) {
  const log = useLog(job);
  const [search, setSearch] = useUrlParam("find");
  const [follow, setFollow] = useState(true);
  const [current, setCurrent] = useState(0);
  const scroll = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => (log.partial ? [...log.lines, log.partial] : log.lines), [log.lines, log.partial]);
  const matches = useMemo(() => {
    if (!search) return [];
    const needle = search.toLowerCase();
    const found: number[] = [];
    lines.forEach((line, i) => {
      if (stripAnsi(line).toLowerCase().includes(needle)) found.push(i);
    });
    return found;
  }, [lines, search]);
  const virtualizer = useVirtualizer({ count: lines.length, getScrollElement: () => scroll.current, estimateSize: () => LINE_HEIGHT, overscan: 30 });

  useEffect(() => {
    if (follow && lines.length && !search) virtualizer.scrollToIndex(lines.length - 1, { align: "end" });
  }, [follow, lines.length, search, virtualizer]);

  const jump = (delta: number) => {
    if (!matches.length) return;
    const next = (current + delta + matches.length) % matches.length;
    setCurrent(next);
    setFollow(false);
    virtualizer.scrollToIndex(matches[next] ?? 0, { align: "center" });
  };

  return (
    <div className="logs">
      <div className="row" style={{ marginBottom: 8 }}>
        <label htmlFor="log-search" className="sr-only">
          Search the log
        </label>
        <input
          id="log-search"
          placeholder="Search the log"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setCurrent(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") jump(e.shiftKey ? -1 : 1);
          }}
        />
        {search ? (
          <>
            <span className="soft" aria-live="polite" data-testid="log-matches">
              {matches.length ? `${current + 1} of ${matches.length}` : "no match"}
            </span>
            <button type="button" onClick={() => jump(-1)} disabled={!matches.length} aria-label="Previous match">
              ↑
            </button>
            <button type="button" onClick={() => jump(1)} disabled={!matches.length} aria-label="Next match">
              ↓
            </button>
          </>
        ) : null}
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <span className="spacer" />
        <span className="soft">
          {lines.length.toLocaleString()} lines{log.skipped ? ` (the last ${formatBytes(TAIL_BYTES)}; download for all)` : ""}
          {isLive(job) ? " · live" : ""}
        </span>
        <a className="button-link" href={api.logUrl(job.id)} download={`${job.id}.log`}>
          Download
        </a>
      </div>
      {log.loaded && lines.length === 0 ? (
        <p className="soft" data-testid="log-empty">
          {isLive(job) ? "Nothing written to the log yet; it appears here as the job prints." : "This job wrote no log."}
        </p>
      ) : null}
      <div
        ref={scroll}
        className="log-view mono"
        role="log"
        aria-label="Job log"
        data-testid="log-view"
        tabIndex={0}
        onWheel={(e) => {
          if (e.deltaY < 0) setFollow(false);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index] ?? "";
            const isCurrent = matches[current] === item.index;
            return (
              <div key={item.index} className={`log-line${isCurrent ? " current" : ""}`} style={{ transform: `translateY(${item.start}px)` }}>
                <span className="log-number" aria-hidden="true">
                  {item.index + 1}
                </span>
                <LogLine line={line} search={search} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function LogLine({ line, search }: { line: string; search: string }) {
  const spans = parseAnsi(line);
  return (
    <span className="log-text">
      {spans.map((span, i) => (
        <span key={i} style={{ color: span.color, fontWeight: span.bold ? 700 : undefined }}>
          {search ? highlight(span.text, search) : span.text}
        </span>
      ))}
    </span>
  );
}

function highlight(text: string, search: string) {
  const lower = text.toLowerCase();
  const needle = search.toLowerCase();
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (let found = lower.indexOf(needle); found >= 0 && needle; found = lower.indexOf(needle, at)) {
    parts.push(text.slice(at, found), <mark key={found}>{text.slice(found, found + needle.length)}</mark>);
    at = found + needle.length;
  }
  parts.push(text.slice(at));
  return parts;
}
