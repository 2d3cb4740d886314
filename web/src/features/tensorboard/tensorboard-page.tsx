import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { useSearchParams } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { ApiError } from "../../lib/api/client";
import { jobsOfPage } from "../../lib/tensorboard";
import { EmptyState, ErrorPanel } from "../../components/states";

/** /tensorboards/open?jobs=a,b: asks the server for TensorBoard over these jobs (it starts
 * one, or finds the one running), says so while it starts, then replaces itself with it. */
export function TensorBoardPage() {
  const [params] = useSearchParams();
  const ids = jobsOfPage(params.get("jobs"));
  const key = ids.join(",");
  // a mutation, not a query: its error shows on this page only (no toast); asking twice (a
  // development double render) finds the same TensorBoard
  const opened = useMutation({ mutationFn: api.openTensorBoard, meta: { inline: true } });
  const { mutate } = opened;
  useEffect(() => {
    if (key) mutate(key.split(","));
  }, [key, mutate]);
  const path = opened.data?.path;
  useEffect(() => {
    if (path) window.location.replace(path);
  }, [path]);

  if (ids.length === 0) {
    return (
      <EmptyState title="TensorBoard">
        <p>
          Select jobs in a project's Jobs table and press <strong>TensorBoard</strong>, or run <code>atlas tensorboard JOB...</code>.
        </p>
      </EmptyState>
    );
  }
  if (opened.error) {
    const missing = opened.error instanceof ApiError && opened.error.code === "missing_extra";
    return (
      <section className="tensorboard-start" aria-label="TensorBoard">
        <ErrorPanel error={opened.error} title="TensorBoard could not start" />
        {missing ? (
          <p>
            Install it where the Atlas server runs, then restart the server: <code>pip install 'atlas-ml[tensorboard]'</code>
          </p>
        ) : null}
      </section>
    );
  }
  return (
    <section className="tensorboard-start" aria-label="TensorBoard">
      <p className="soft" role="status" data-testid="tensorboard-starting">
        {path ? "Opening TensorBoard…" : `Starting TensorBoard over ${ids.length} job${ids.length === 1 ? "" : "s"}…`}
      </p>
    </section>
  );
}
