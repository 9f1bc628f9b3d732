// Edits the table editor has not had answered yet are kept in localStorage under
// `${PENDING_PREFIX}${user id}:${report id}` (table-editor.js); logout.js removes a user's keys.
export const PENDING_PREFIX = "niko-pending:";

export function forgetUser(userId) {
  const prefix = `${PENDING_PREFIX}${userId}:`;
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(prefix)) localStorage.removeItem(key);
    }
  } catch {
    // Storage disabled: nothing was kept.
  }
}
