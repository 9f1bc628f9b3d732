// «Выйти»: the edits this browser kept for the user (pending-storage.js) leave with the user.
import { forgetUser } from "./pending-storage.js";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("form.js-logout") && form.dataset.user) forgetUser(form.dataset.user);
});
