import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import { keysQuery } from "../../lib/api/queries";
import { fieldName } from "../../lib/query-text";
import { gate } from "../../lib/roles";
import { authOn, useMe } from "../../lib/session";
import { wireNumber } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import { useUrlParam } from "../../lib/url-state";
import { LineChart } from "../../components/line-chart";
import { ErrorPanel, Loading } from "../../components/states";
import { TimeText } from "../../components/time-text";
import { PALETTE } from "../../lib/palette";
import { useProjectRole } from "../../lib/use-project-role";

/** The project's description (rendered, sanitised by the server, editable), a chart of a
 * metric's summary across jobs over time, and notes. */
export function ProjectOverview({ project }: { project: string }) {
  return (
    <div className="overview-grid">
      <Description project={project} />
      <SummaryChart project={project} />
      <Notes project={project} />
    </div>
  );
}

function Description({ project }: { project: string }) {
  const client = useQueryClient();
  const description = useQuery({
    queryKey: ["description", project],
    queryFn: ({ signal }) => api.getDescription(project, signal),
    meta: { what: "Loading the description" },
  });
  const [draft, setDraft] = useState<string | null>(null);
  const mayEdit = gate(useProjectRole(project), "editor", "edit the description");
  const save = useMutation({
    mutationFn: (markdown: string) => api.putDescription(project, markdown),
    meta: { what: "Saving the description" },
    onSuccess: (answer) => {
      client.setQueryData(["description", project], answer);
      void client.invalidateQueries({ queryKey: ["projects"] });
      setDraft(null);
    },
  });
  return (
    <section className="panel" aria-labelledby="description-title">
      <div className="row">
        <h2 id="description-title">Description</h2>
        <span className="spacer" />
        {draft === null ? (
          <button type="button" onClick={() => setDraft(description.data?.markdown ?? "")} disabled={mayEdit.disabled || !description.data} title={mayEdit.reason}>
            Edit description
          </button>
        ) : null}
      </div>
      {description.isPending ? <Loading /> : null}
      {description.isError ? <ErrorPanel error={description.error} /> : null}
      {draft !== null ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <label htmlFor="description-editor">Markdown</label>
          <textarea id="description-editor" rows={12} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <div className="row" style={{ marginTop: 8 }}>
            <button type="submit" className="primary" disabled={save.isPending}>
              Save description
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : description.data ? (
        description.data.html.trim() ? (
          // The server renders the markdown with raw HTML disabled and unsafe links removed.
          <div className="markdown" data-testid="project-description" dangerouslySetInnerHTML={{ __html: description.data.html }} />
        ) : (
          <p className="soft" data-testid="project-description">
            No description yet. Say what this project is for, what is being tried and what was learnt.
          </p>
        )
      ) : null}
    </section>
  );
}

const AGGREGATES = ["last", "min", "max"] as const;

function SummaryChart({ project }: { project: string }) {
  const keys = useQuery(keysQuery(project));
  const theme = useTheme();
  const [metricParam, setMetric] = useUrlParam("metric");
  const [aggregate, setAggregate] = useUrlParam("agg", "last");
  const metric = metricParam || keys.data?.metrics[0] || "";
  const field = metric ? fieldName("metrics", metric, aggregate) : "";
  const jobs = useQuery({
    queryKey: ["summary-jobs", project, field],
    queryFn: ({ signal }) => api.listJobs(project, { filter: `${field} exists`, sort: "created_at", limit: 1000 }, signal),
    enabled: Boolean(field),
    meta: { what: "Loading the summary chart" },
  });
  const data = useMemo(() => {
    const items = jobs.data?.items ?? [];
    const x: number[] = [];
    const y: (number | null)[] = [];
    for (const job of items) {
      const summary = job.metrics[metric];
      if (!summary) continue;
      const value = wireNumber(summary[aggregate as "last" | "min" | "max"]);
      x.push(Date.parse(job.created_at) / 1000);
      y.push(value !== null && Number.isFinite(value) ? value : null);
    }
    return { x, lines: [{ label: `${metric} (${aggregate})`, color: PALETTE[0], values: y, pointsOnly: true }] };
  }, [jobs.data, metric, aggregate]);
  return (
    <section className="panel" aria-labelledby="summary-title">
      <div className="row">
        <h2 id="summary-title">Metric across jobs</h2>
        <span className="spacer" />
        <label htmlFor="summary-metric">Metric</label>
        <select id="summary-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
          {(keys.data?.metrics ?? []).map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
        <label htmlFor="summary-aggregate">Summary</label>
        <select id="summary-aggregate" value={aggregate} onChange={(e) => setAggregate(e.target.value)}>
          {AGGREGATES.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </div>
      {!metric && keys.data ? <p className="soft">No job of this project has logged a metric yet.</p> : null}
      {jobs.data ? (
        <>
          <p className="chart-note">
            {data.x.length} jobs by launch time{jobs.data.total > jobs.data.items.length ? ` (the first ${jobs.data.items.length} of ${jobs.data.total})` : ""}
          </p>
          <LineChart x={data.x} lines={data.lines} xAxis="time" label={`${metric} ${aggregate} across jobs`} theme={theme} height={220} />
        </>
      ) : null}
    </section>
  );
}

function Notes({ project }: { project: string }) {
  const client = useQueryClient();
  const notes = useQuery({
    queryKey: ["notes", project],
    queryFn: ({ signal }) => api.listNotes(project, signal),
    meta: { what: "Loading notes" },
  });
  const [text, setText] = useState("");
  const [author, setAuthor] = useState(() => localStorage.getItem("atlas-author") ?? "");
  const mayAdd = gate(useProjectRole(project), "editor", "add notes");
  // with auth on the server writes the signed-in user as the author
  const me = useMe();
  const signedIn = authOn(me) ? (me?.user?.name ?? null) : null;
  const add = useMutation({
    mutationFn: () => api.addNote(project, text, author),
    meta: { what: "Adding the note" },
    onSuccess: () => {
      localStorage.setItem("atlas-author", author);
      setText("");
      void client.invalidateQueries({ queryKey: ["notes", project] });
    },
  });
  return (
    <section className="panel" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) add.mutate();
        }}
      >
        <label htmlFor="note-text" className="sr-only">
          Note
        </label>
        <textarea
          id="note-text"
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={mayAdd.reason ?? "What did you learn?"}
          disabled={mayAdd.disabled}
          title={mayAdd.reason}
        />
        <div className="row" style={{ marginTop: 6 }}>
          {signedIn ? (
            <span className="soft">as {signedIn}</span>
          ) : (
            <>
              <label htmlFor="note-author">Author</label>
              <input id="note-author" value={author} onChange={(e) => setAuthor(e.target.value)} maxLength={LIMITS.noteAuthor} />
            </>
          )}
          <button type="submit" className="primary" disabled={mayAdd.disabled || !text.trim() || add.isPending} title={mayAdd.reason}>
            Add note
          </button>
        </div>
      </form>
      {notes.isError ? <ErrorPanel error={notes.error} /> : null}
      <ul className="notes" aria-label="Notes">
        {notes.data?.items.map((note) => (
          <li key={note.id}>
            <div className="soft">
              <strong>{note.author || "anonymous"}</strong> · <TimeText iso={note.created_at} />
            </div>
            <div className="note-text">{note.text}</div>
          </li>
        ))}
      </ul>
      {notes.data && notes.data.items.length === 0 ? <p className="soft">No notes yet.</p> : null}
    </section>
  );
}
