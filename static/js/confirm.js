// Asks before a form with data-confirm is sent (password resets and other irreversible steps).
for (const form of document.querySelectorAll("form.js-confirm")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
