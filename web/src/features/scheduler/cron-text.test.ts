import { describe, expect, it } from "vitest";
import { cronText } from "./cron-text";

describe("a cron expression in words", () => {
  it("reads daily, weekday and monthly times", () => {
    expect(cronText("0 3 * * *")).toBe("every day at 03:00");
    expect(cronText("30 6 * * mon-fri")).toBe("at 06:30 on Monday to Friday");
    expect(cronText("0 0 1,15 * *")).toBe("at 00:00 on day 1, 15 of the month");
    expect(cronText("0 12 * jan,jul 0")).toBe("at 12:00 on Sunday in January, July");
    expect(cronText("0 0 1 * 1")).toBe("at 00:00 on day 1 of the month and on Monday");
  });

  it("reads the shorthands", () => {
    expect(cronText("@daily")).toBe("every day at 00:00");
    expect(cronText("@hourly")).toBe("every hour");
    expect(cronText("@weekly")).toBe("at 00:00 on Sunday");
    expect(cronText("@yearly")).toBe("at 00:00 on day 1 of the month in January");
  });

  it("reads minute and hour steps", () => {
    expect(cronText("*/15 * * * *")).toBe("every 15 minutes");
    expect(cronText("* * * * *")).toBe("every minute");
    expect(cronText("5 * * * *")).toBe("every hour at minute 5");
    expect(cronText("0 */6 * * *")).toBe("every 6 hours at minute 0");
    expect(cronText("0 7 * * 7")).toBe("at 07:00 on Sunday");
  });

  it("answers null for what it does not read, rather than guessing", () => {
    expect(cronText("0-30/10 9-17 * * *")).toBeNull();
    expect(cronText("0 0 */2 * *")).toBeNull();
    expect(cronText("@reboot")).toBeNull();
    expect(cronText("0 3 * *")).toBeNull();
  });
});
