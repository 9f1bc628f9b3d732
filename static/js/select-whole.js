// Long names in a narrow select (a phone's municipality filter): the closed select cuts the
// chosen name, so its whole text is shown under it whenever it does not fit.
const canvas = document.createElement("canvas").getContext("2d");

function fits(select, text) {
  const style = getComputedStyle(select);
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room =
    select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return canvas.measureText(text).width <= room;
}

function show(select) {
  const option = select.selectedOptions[0];
  const text = option ? option.textContent.trim() : "";
  let note = select.nextElementSibling;
  if (!note || !note.classList.contains("select-whole")) {
    note = document.createElement("div");
    note.className = "form-text select-whole";
    note.setAttribute("aria-hidden", "true"); // the select itself already reads the name
    select.after(note);
  }
  note.textContent = text && !fits(select, text) ? text : "";
  note.hidden = !note.textContent;
}

for (const select of document.querySelectorAll("select.js-whole")) {
  show(select);
  select.addEventListener("change", () => show(select));
  window.addEventListener("resize", () => show(select));
}
