import type { MouseEvent } from "react";
import { Link } from "react-router-dom";
import * as api from "../lib/api/endpoints";
import { MAX_TENSORBOARD_JOBS, tensorBoardPagePath } from "../lib/tensorboard";

/** The TensorBoard action: opens, in a new tab, the server's TensorBoard over exactly these
 * jobs (docs/tensorboard.md). A plain click asks the server from this page, which is already
 * loaded, while the new tab opens, and sends the tab straight to TensorBoard; a click with a
 * modifier (or where pop-ups are blocked) opens the GUI's start page, which asks itself. */
export function TensorBoardLink({ jobIds, primary = false }: { jobIds: readonly string[]; primary?: boolean }) {
  const count = jobIds.length;
  return (
    <Link
      className={primary ? "button-link primary" : "button-link"}
      to={tensorBoardPagePath(jobIds)}
      target="_blank"
      rel="noopener"
      onClick={(event) => openInNewTab(event, jobIds)}
      title={`Open TensorBoard over ${count === 1 ? "this job" : `these ${count} jobs`} in a new tab, each job a run`}
      data-testid="tensorboard-link"
    >
      TensorBoard
    </Link>
  );
}

function openInNewTab(event: MouseEvent<HTMLAnchorElement>, jobIds: readonly string[]): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const tab = window.open("", "_blank");
  if (tab === null) return; // pop-ups blocked: the link's own navigation goes on
  event.preventDefault();
  tab.opener = null;
  const ids = [...new Set(jobIds)].slice(0, MAX_TENSORBOARD_JOBS);
  tab.document.title = "TensorBoard";
  tab.document.body.textContent = `Starting TensorBoard over ${ids.length} job${ids.length === 1 ? "" : "s"}…`;
  api.openTensorBoard(ids).then(
    (opened) => tab.location.replace(opened.path),
    // the start page asks again and shows the error where the user looks
    () => tab.location.replace(tensorBoardPagePath(ids)),
  );
}
