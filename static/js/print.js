// «Печать» on print views: the browser's print dialog (the page itself is the printable sheet).
for (const button of document.querySelectorAll(".js-print")) {
  button.addEventListener("click", () => window.print());
}
