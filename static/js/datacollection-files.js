// File cells of the data-collection table (the scan of a protocol): choosing a file uploads it at
// once, «Удалить» removes it, both without leaving the page. Without this script the same forms
// work as plain posts («Отправить»).

const editor = document.getElementById("report-editor");
if (editor && editor.dataset.editable === "true") startFiles(editor);

function startFiles(root) {
  const csrf = root.dataset.csrf;
  const statusBox = document.getElementById("save-status");
  let uploading = 0;
  root.classList.add("js-files");

  function setState(box, state, message = "") {
    const td = box.closest("td");
    td.dataset.state = state;
    box.querySelector(".cell-state").textContent = message;
  }

  function showFile(box, name, url) {
    const link = box.querySelector(".cell-file-link");
    link.textContent = name;
    link.href = url || "";
    link.hidden = !name;
    box.querySelector(".cell-file-remove").hidden = !name;
    box.querySelector(".cell-file-pick-label").textContent = name ? "Заменить" : "Загрузить файл";
  }

  async function send(form) {
    const box = form.closest("[data-file-cell]");
    const upload = form.classList.contains("cell-file-upload");
    uploading += 1;
    setState(box, "saving", upload ? "Загрузка файла…" : "Удаление…");
    let response = null;
    try {
      response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        body: new FormData(form),
      });
    } catch {
      response = null;
    }
    uploading -= 1;
    const data = response ? await response.json().catch(() => ({})) : {};
    if (response && response.ok) {
      showFile(box, data.name, data.url);
      setState(box, "saved", data.name ? "Файл загружен" : "");
      if (statusBox) {
        statusBox.textContent = `Все изменения сохранены в ${data.saved_at} (МСК)`;
        statusBox.dataset.kind = "saved";
      }
      // The status line and the notice after «Сдать отчет» (table-editor.js) follow the answer.
      if (data.report) document.dispatchEvent(new CustomEvent("report-state", { detail: data.report }));
    } else {
      const message = !response
        ? "Нет связи с сервером: файл не загружен, попробуйте еще раз."
        : data.message || data.error || "Файл не принят.";
      setState(box, "error", message);
    }
    if (upload) form.reset();
  }

  root.addEventListener("change", (event) => {
    if (event.target.matches("input.cell-file-input") && event.target.files.length) {
      send(event.target.form);
    }
  });

  // A file chosen before this module ran (a slow page) fired its change event unheard: send it.
  for (const input of root.querySelectorAll("input.cell-file-input")) {
    if (input.files.length) send(input.form);
  }

  // Runs after confirm.js: a removal the user cancelled is already defaultPrevented.
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !form.closest("[data-file-cell]")) return;
    event.preventDefault();
    send(form);
  });

  window.addEventListener("beforeunload", (event) => {
    if (uploading > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
