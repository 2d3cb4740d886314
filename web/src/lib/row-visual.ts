// The contract between the jobs table's rows and the workspace around them (the two
// features do not import each other; the page composing them passes one to the other).

/** The workspace's marks on a row: the job's chart colour (null: the charts do not show it),
 * the eye that shows or hides it there, and the job hovered in a chart or a row (shared, so a
 * line and its row light up together). */
import type { ValueSource } from "./value-store";

export interface RowVisual {
  colorOf: (id: string) => string | null;
  toggle: (id: string) => void;
  /** The hovered job (a row follows it itself: a hover re-renders two rows, not the table). */
  highlight?: ValueSource<string | null>;
  onHover?: (id: string | null) => void;
}
