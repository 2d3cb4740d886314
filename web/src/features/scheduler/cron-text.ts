// A cron expression in words for the scheduler page ("every day at 03:00"). The server
// parses and checks every expression (atlas.cron); this only reads the common shapes and
// answers null for the rest, which the page then shows as written.

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_NAMES = MONTHS.map((m) => m.slice(0, 3).toLowerCase());

const SHORTHANDS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

function num(text: string, names: string[] = [], offset = 0): number | null {
  const named = names.indexOf(text.toLowerCase());
  if (named >= 0) return named + offset;
  return /^\d+$/.test(text) ? Number(text) : null;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A list field (`mon-fri`, `1,15`, `jan`) in words, or null for steps and the unknown. */
function listText(field: string, name: (n: number) => string, names: string[], offset: number): string | null {
  const parts: string[] = [];
  for (const item of field.split(",")) {
    const [a, b, extra] = item.split("-");
    const first = num(a ?? "", names, offset);
    if (first === null || extra !== undefined) return null;
    if (b === undefined) {
      parts.push(name(first));
      continue;
    }
    const last = num(b, names, offset);
    if (last === null) return null;
    parts.push(`${name(first)} to ${name(last)}`);
  }
  return parts.join(", ");
}

function timeText(minute: string, hour: string): string | null {
  const m = num(minute);
  const h = num(hour);
  if (minute === "*" && hour === "*") return "every minute";
  const step = /^\*\/(\d+)$/.exec(minute);
  if (step && hour === "*") return `every ${step[1]} minutes`;
  if (m !== null && hour === "*") return m === 0 ? "every hour" : `every hour at minute ${m}`;
  if (m !== null && h !== null) return `at ${pad(h)}:${pad(m)}`;
  const hourStep = /^\*\/(\d+)$/.exec(hour);
  if (m !== null && hourStep) return `every ${hourStep[1]} hours at minute ${m}`;
  return null;
}

function dayText(dom: string, month: string, dow: string): string | null {
  const weekday = (n: number) => DAYS[n % 7] ?? String(n);
  const monthName = (n: number) => MONTHS[n - 1] ?? String(n);
  const days = dow === "*" ? "" : listText(dow, weekday, DAY_NAMES, 0);
  const dates = dom === "*" ? "" : listText(dom, String, [], 0);
  const months = month === "*" ? "" : listText(month, monthName, MONTH_NAMES, 1);
  if (days === null || dates === null || months === null) return null;
  const when: string[] = [];
  if (dates && days) when.push(`on day ${dates} of the month and on ${days}`);
  else if (dates) when.push(`on day ${dates} of the month`);
  else if (days) when.push(`on ${days}`);
  if (months) when.push(`in ${months}`);
  return when.join(" ");
}

/** `expr` in words ("every day at 03:00", "at 06:30 on Monday to Friday"), or null when
 * its shape is not one of the common ones. */
export function cronText(expr: string): string | null {
  const fields = (SHORTHANDS[expr.trim().toLowerCase()] ?? expr).trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const time = timeText(minute, hour);
  const days = dayText(dom, month, dow);
  if (time === null || days === null) return null;
  if (!days) return time.startsWith("at ") ? `every day ${time}` : time;
  return `${time} ${days}`;
}
