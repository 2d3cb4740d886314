import { describe, expect, it } from "vitest";
import {
  columnNumberFormat,
  formatAbsolute,
  formatBytes,
  formatDuration,
  formatInColumn,
  formatNumber,
  formatRelative,
  formatValue,
  shortId,
  truncate,
  uniquePrefixLength,
  wireNumber,
} from "./format";

describe("formatNumber", () => {
  it("shows 4 significant digits", () => {
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(3.14159)).toBe("3.142");
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(1234.5678)).toBe("1235");
  });
  it("keeps integers below a million exact", () => {
    expect(formatNumber(42)).toBe("42");
    expect(formatNumber(999999)).toBe("999999");
    expect(formatNumber(-7)).toBe("-7");
  });
  it("uses an exponent for huge and tiny values", () => {
    expect(formatNumber(1e300)).toBe("1e300");
    expect(formatNumber(12345678)).toBe("1.235e7");
    expect(formatNumber(0.00001234)).toBe("1.234e-5");
    expect(formatNumber(-2.5e-9)).toBe("-2.5e-9");
  });
  it("names non-finite values instead of hiding them", () => {
    expect(formatNumber("NaN")).toBe("NaN");
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber("Infinity")).toBe("∞");
    expect(formatNumber(-Infinity)).toBe("−∞");
    expect(formatNumber(0)).toBe("0");
  });
  it("reads wire numbers", () => {
    expect(wireNumber("-Infinity")).toBe(-Infinity);
    expect(wireNumber("abc")).toBeNull();
    expect(wireNumber(2)).toBe(2);
  });
});

describe("formatValue", () => {
  it("formats params of any type", () => {
    expect(formatValue(0.001)).toBe("0.001");
    expect(formatValue("adam")).toBe("adam");
    expect(formatValue(true)).toBe("true");
    expect(formatValue(null)).toBe("null");
    expect(formatValue([1, 2])).toBe("[1,2]");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(undefined)).toBe("");
  });
});

describe("formatDuration", () => {
  it("reads like 9m 4s", () => {
    expect(formatDuration(544)).toBe("9m 4s");
    expect(formatDuration(4.25)).toBe("4.3s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(60)).toBe("1m");
    expect(formatDuration(3780)).toBe("1h 3m");
    expect(formatDuration(2 * 86400 + 4 * 3600 + 5)).toBe("2d 4h");
  });
  it("is empty when unknown and never throws on odd values", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration("NaN")).toBe("NaN");
    expect(formatDuration(-5)).toBe("-5");
  });
});

describe("times", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  it("says how long ago", () => {
    expect(formatRelative("2026-11-25T11:58:00.000000Z", now)).toBe("2m ago");
    expect(formatRelative("2026-11-25T11:59:58Z", now)).toBe("just now");
    expect(formatRelative("2026-11-24T11:00:00Z", now)).toBe("1d ago");
    expect(formatRelative("2026-11-25T13:00:00Z", now)).toBe("in 1h");
    expect(formatRelative(null, now)).toBe("");
  });
  it("shows absolute times in the viewer's zone", () => {
    expect(formatAbsolute("2026-11-25T14:55:34.123456Z", "Europe/Paris")).toBe("2026-11-25 15:55:34 UTC+1");
    expect(formatAbsolute("2026-11-25T14:55:34Z", "UTC")).toBe("2026-11-25 14:55:34 UTC");
    expect(formatAbsolute("not a time")).toBe("not a time");
  });
});

describe("small helpers", () => {
  it("formats sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GiB");
  });
  it("shortens ids and text", () => {
    expect(shortId("01m89kc979fzfy96")).toBe("01m89kc9");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });
});

describe("columnNumberFormat", () => {
  const column = (values: unknown[]) => {
    const format = columnNumberFormat(values);
    return values.map((v) => formatInColumn(v, format));
  };

  it("never mixes exponents and decimals in one column", () => {
    expect(column([8.968e-4, 0.00319, 0.0123])).toEqual(["8.968e-4", "3.190e-3", "1.230e-2"]);
  });

  it("gives every value the same decimals, no more than the values need", () => {
    expect(column([0.5, 1, 0.25])).toEqual(["0.50", "1.00", "0.25"]);
    expect(column([0.123456, 12.5])).toEqual(["0.1235", "12.5000"]);
  });

  it("keeps integer columns as integers, large ones as exponents", () => {
    expect(column([1, 20, 300])).toEqual(["1", "20", "300"]);
    expect(column([1_500_000, 20])).toEqual(["1.5e6", "2.0e1"]);
  });

  it("writes non-finite numbers and text as they are", () => {
    expect(column([0.5, "NaN", "Infinity", "-Infinity", "adam", null, undefined])).toEqual(["0.5", "NaN", "∞", "−∞", "adam", "null", ""]);
  });

  it("takes exponents for large fractional values", () => {
    expect(column([1234567.5, 0.5])).toEqual(["1.235e6", "5.000e-1"]);
  });

  it("reads an empty or all-zero column as integers", () => {
    expect(columnNumberFormat([])).toEqual({ kind: "fixed", decimals: 0 });
    expect(column([0, 0])).toEqual(["0", "0"]);
  });
});

describe("uniquePrefixLength", () => {
  it("is the shortest prefix that tells the ids apart, at least the minimum", () => {
    expect(uniquePrefixLength(["01m89kc979fzfy96", "02aaaaaaaaaaaaaa"])).toBe(8);
    expect(uniquePrefixLength(["01m89kc979fzfy96", "01m89kc97xxxxxxx", "01m89kc979fzfy96"])).toBe(10);
    expect(shortId("01m89kc979fzfy96", 10)).toBe("01m89kc979");
    expect(uniquePrefixLength([])).toBe(8);
  });
});
