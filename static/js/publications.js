// Opening a publication marks it read: the «Новое» badge goes and the server remembers it.
// The <details> element itself expands and collapses without any script.
for (const feed of document.querySelectorAll(".publication-feed[data-csrf-token]")) {
  const csrfToken = feed.dataset.csrfToken;
  for (const details of feed.querySelectorAll("details.publication[data-unread]")) {
    details.addEventListener("toggle", async () => {
      if (!details.open || !details.hasAttribute("data-unread")) return;
      details.removeAttribute("data-unread");
      try {
        const response = await fetch(details.dataset.readUrl, {
          method: "POST",
          headers: { "X-CSRFToken": csrfToken },
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(response.statusText);
        details.querySelector(".js-new-badge")?.remove();
      } catch {
        details.setAttribute("data-unread", ""); // try again on the next opening
      }
    });
  }
}
