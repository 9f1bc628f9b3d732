// Names for the admin's widgets that Django and its bundled select2 leave unnamed: the two
// inputs of a date-time field, list-editable cells of a change list, tabular inline cells,
// select2 boxes; and the filter boxes' tooltips, whose aria-label is not allowed on a span.
// Runs again whenever the admin's scripts add widgets (inline rows, select2, filters).

function labelText(id) {
  const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
  return label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
}

function columnTitle(cell) {
  const table = cell.closest("table");
  const row = cell.closest("tr");
  if (!table || !row) return "";
  const index = Array.prototype.indexOf.call(row.children, cell);
  const head = table.querySelector("thead tr");
  const th = head && head.children[index];
  return th ? th.textContent.replace(/\s+/g, " ").trim() : "";
}

function name(element, text) {
  if (text && !element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
    element.setAttribute("aria-label", text);
  }
}

function hasLabel(element) {
  return (
    element.labels?.length ||
    element.hasAttribute("aria-label") ||
    element.hasAttribute("aria-labelledby")
  );
}

function fix(root) {
  // Date-time fields: «Дата» and «Время» of the field's label.
  root.querySelectorAll(".datetime input[id$='_0'], .datetime input[id$='_1']").forEach((input) => {
    if (input.labels?.length && input.id.endsWith("_0")) return;
    const base = labelText(input.id.replace(/_[01]$/, "_0")) || labelText(input.id.replace(/_[01]$/, ""));
    const part = input.id.endsWith("_0") ? "дата" : "время";
    name(input, base ? `${base}: ${part}` : part);
  });
  // Cells of list-editable change lists and tabular inlines: the column's title.
  root.querySelectorAll("td input, td select, td textarea").forEach((field) => {
    if (field.type === "hidden" || hasLabel(field)) return;
    const cell = field.closest("td");
    const column = columnTitle(cell);
    const row = cell.closest("tr")?.querySelector("th, td.original p, td.field-__str__");
    const rowText = row ? row.textContent.replace(/\s+/g, " ").trim() : "";
    name(field, [column, rowText].filter(Boolean).join(" — ") || field.name);
  });
  // select2: the combobox takes the field's label, its inline search field too.
  root.querySelectorAll(".select2-container").forEach((container) => {
    const select = container.previousElementSibling;
    const text = select ? labelText(select.id) : "";
    container.querySelectorAll(".select2-selection").forEach((box) => {
      box.removeAttribute("aria-labelledby");
      name(box, text);
    });
    container.querySelectorAll(".select2-search__field").forEach((field) => name(field, text));
    container.querySelectorAll("span.select2-selection__rendered[role]").forEach((shown) => name(shown, text));
    container.querySelectorAll("ul.select2-selection__rendered").forEach((list) => {
      list.setAttribute("role", "presentation");
      list.querySelectorAll(":scope > li").forEach((item) => item.setAttribute("role", "presentation"));
    });
  });
  // Inline groups scroll sideways on phones: reachable and named for the keyboard.
  root.querySelectorAll(".inline-group").forEach((group) => {
    if (group.hasAttribute("tabindex")) return;
    const title = group.querySelector("h2");
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "region");
    name(group, title ? title.textContent.trim() : "");
  });
  // Filter tooltips: the text stays as the title; a span may not carry aria-label.
  root.querySelectorAll(".help-tooltip.search-label-icon[aria-label]").forEach((icon) => {
    icon.setAttribute("title", icon.getAttribute("aria-label"));
    icon.removeAttribute("aria-label");
    icon.setAttribute("aria-hidden", "true");
  });
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    fix(document);
  });
}

fix(document);
new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
window.addEventListener("load", () => fix(document));
