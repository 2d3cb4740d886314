import { Popover } from "../../components/popover";
import type { HeadActions } from "./jobs-head";
import type { ColumnSpec } from "./model";

/** A column header's menu: pin or unpin, move, fit the width, group the rows by the column
 * (params and tags), hide it. Status and name are always pinned and always shown. */
export function ColumnMenu({ column, fixed, pinned, actions }: { column: ColumnSpec; fixed: boolean; pinned: boolean; actions: HeadActions }) {
  const groupable = column.sortable && (column.group === "params" || (column.group === "tags" && column.id !== "tags"));
  return (
    <Popover label="⋮" ariaLabel={`Column ${column.label}`} className="column-menu-button" tabIndex={-1} align="right">
      {(close) => {
        const item = (label: string, run: () => void, testId?: string) => (
          <li role="none">
            <button
              type="button"
              role="menuitem"
              data-testid={testId}
              onClick={() => {
                run();
                close();
              }}
            >
              {label}
            </button>
          </li>
        );
        return (
          <ul className="menu-list column-menu" role="menu" aria-label={`Column ${column.label}`}>
            {fixed ? null : item(pinned ? "Unpin" : "Pin to the left", () => actions.pin(column.id, !pinned), "column-pin")}
            {fixed ? null : item("Move left  (Alt+←)", () => actions.move(column.id, -1), "column-move-left")}
            {fixed ? null : item("Move right  (Alt+→)", () => actions.move(column.id, 1), "column-move-right")}
            {item("Fit width", () => actions.fit(column.id), "column-fit")}
            {groupable ? item("Group rows by this", () => actions.groupBy(column.id), "column-group-by") : null}
            {fixed ? null : item("Hide column", () => actions.hide(column.id), "column-hide")}
          </ul>
        );
      }}
    </Popover>
  );
}
