// Light and dark themes: follow prefers-color-scheme until the user picks one.
import { useEffect, useSyncExternalStore } from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "atlas-theme";
const listeners = new Set<() => void>();

function systemDark(): boolean {
  return typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches === true;
}

export function themeChoice(): ThemeChoice {
  const stored = typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null;
  return stored === "light" || stored === "dark" ? stored : "system";
}

/** The theme in effect: the user's pick, else the system's. */
export function effectiveTheme(choice: ThemeChoice = themeChoice()): "light" | "dark" {
  return choice === "system" ? (systemDark() ? "dark" : "light") : choice;
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  applyTheme();
}

export function applyTheme(): void {
  document.documentElement.dataset.theme = effectiveTheme();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The theme in effect, re-rendering when it changes (charts redraw their colours). */
export function useTheme(): "light" | "dark" {
  useEffect(() => {
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (!media) return;
    const onChange = () => applyTheme();
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return useSyncExternalStore(subscribe, () => effectiveTheme(), () => "light");
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, themeChoice, () => "system");
}
