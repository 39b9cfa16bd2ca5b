/** Who is signed in: restored from the session cookie on load (GET /auth/me), set by login, cleared by logout. */
import { api, setCsrfToken, setUnauthenticatedHandler, type UserRead } from "./api/client";
import { ApiError, call } from "./api/errors";
import { adoptProfileLanguage } from "./i18n/index.svelte";

const state = $state<{ user: UserRead | null; checked: boolean }>({ user: null, checked: false });

setUnauthenticatedHandler(() => {
  setCsrfToken(null);
  state.user = null;
});

export function currentUser(): UserRead | null {
  return state.user;
}

/** False until the first check of the session cookie has answered. */
export function sessionChecked(): boolean {
  return state.checked;
}

async function loadMe(): Promise<UserRead> {
  const user = await call(api.GET("/api/v1/auth/me"));
  adoptProfileLanguage(user.locale);
  return user;
}

export async function restoreSession(): Promise<void> {
  try {
    state.user = await loadMe();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    state.user = null;
  } finally {
    state.checked = true;
  }
}

export async function logIn(email: string, password: string): Promise<void> {
  const login = await call(api.POST("/api/v1/auth/login", { body: { email, password } }));
  setCsrfToken(login.csrf_token);
  state.user = await loadMe();
}

/**
 * Change the signed-in user's password. The server revokes every other session and replaces this one: the
 * new cookies arrive with the answer, and the new CSRF token must be used from now on. How many other
 * sessions were signed out.
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<number> {
  const changed = await call(
    api.POST("/api/v1/auth/password", {
      body: { current_password: currentPassword, new_password: newPassword },
    }),
  );
  if (changed.csrf_token) setCsrfToken(changed.csrf_token);
  return changed.sessions_revoked;
}

export async function logOut(): Promise<void> {
  try {
    await call(api.POST("/api/v1/auth/logout"), true);
  } finally {
    setCsrfToken(null);
    state.user = null;
  }
}
