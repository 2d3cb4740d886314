import { Link } from "react-router-dom";
import { tensorBoardPagePath } from "../lib/tensorboard";

/** The TensorBoard action: opens, in a new tab, the page that starts (or finds) the server's
 * TensorBoard over exactly these jobs and then shows it (docs/tensorboard.md). */
export function TensorBoardLink({ jobIds, primary = false }: { jobIds: readonly string[]; primary?: boolean }) {
  const count = jobIds.length;
  return (
    <Link
      className={primary ? "button-link primary" : "button-link"}
      to={tensorBoardPagePath(jobIds)}
      target="_blank"
      rel="noopener"
      title={`Open TensorBoard over ${count === 1 ? "this job" : `these ${count} jobs`} in a new tab, each job a run`}
      data-testid="tensorboard-link"
    >
      TensorBoard
    </Link>
  );
}
