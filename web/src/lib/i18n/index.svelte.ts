/**
 * The UI language: i18next holds the catalogs (en.json, es.json: the same keys, checked by
 * scripts/check-i18n.mjs and tests/e2e/test_i18n_catalogs.py); this module makes the choice reactive.
 *
 * Which language: the one the user picked (remembered in localStorage), else the user's profile
 * language once signed in, else the browser's. `t()` reads the reactive language, so every template
 * that calls it follows a switch at once. Texts from `t()` are plain text: render them with `{...}`,
 * never `{@html}` (i18next's own escaping is off because Svelte escapes).
 */
import i18next from "i18next";

import en from "./en.json";
import es from "./es.json";

export const LANGUAGES = ["en", "es"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "consenso.language";

type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every key of the English catalog, e.g. "login.submit". */
export type MessageKey = Leaves<typeof en>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** "es-CO" → "es"; anything but Spanish → English. */
export function languageOf(tag: string | null | undefined): Language {
  return tag?.toLowerCase().startsWith("es") ? "es" : "en";
}

function stored(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null; // storage disabled: the choice lasts for this page only
  }
}

function browserLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = tag.toLowerCase().slice(0, 2);
    if (isLanguage(lang)) return lang;
  }
  return "en";
}

const state = $state<{ lang: Language }>({ lang: stored() ?? browserLanguage() });

void i18next.init({
  lng: state.lang,
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  resources: { en: { translation: en }, es: { translation: es } },
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});
document.documentElement.lang = state.lang;

/** The current UI language (reactive). */
export function language(): Language {
  return state.lang;
}

/** Switch the UI language; `remember` keeps the choice in this browser. */
export function setLanguage(lang: Language, remember = true): void {
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // storage disabled: the switch still applies to this page
    }
  }
  state.lang = lang;
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/** After sign-in: follow the user's profile language unless a choice was made in this browser. */
export function adoptProfileLanguage(locale: string): void {
  if (stored() === null) setLanguage(languageOf(locale), false);
}

/** The message `key` in the current language, with `{{name}}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return i18next.t(key, { ...params, lng: state.lang });
}

/** A text given in both languages (label names, titles, guidelines): the UI language's, else the other. */
export function localized(text: Partial<Record<Language, string>> | undefined, fallback = ""): string {
  if (!text) return fallback;
  const other: Language = state.lang === "es" ? "en" : "es";
  return text[state.lang] || text[other] || fallback;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(state.lang).format(value);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.lang, { dateStyle: "medium" }).format(date);
}
