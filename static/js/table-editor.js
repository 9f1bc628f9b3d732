// The data-collection table: per-cell autosave, spreadsheet keys, paste from Excel, offline queue.
//
// Every changed cell goes into a queue keyed by its address; the queue is sent as one request and
// cleared only for cells the server answered. A network failure keeps the cells queued and retries
// with a growing delay (1 s … 30 s), so no edit is ever dropped. Each cell carries the version it
// was read at; the server refuses (409) an edit of a cell changed elsewhere and sends the newer
// value, which replaces the local one with a visible note.
//
// Until the server has answered, every edit is also kept in the browser's storage under a key of
// this user and this report: a tab closed while the connection is down loses nothing, the edits
// are sent with the versions they were typed at the next time the report is opened (a cell changed
// elsewhere meanwhile gets the usual conflict note). logout.js removes the user's keys.
//
// The saved value of a cell is the one the server rendered (defaultValue), not whatever the input
// holds when this script starts: under load a person can type before the module has run, and that
// value must be sent, not mistaken for the saved one.

import { PENDING_PREFIX } from "./pending-storage.js";

const STALE_MESSAGE =
  "Сеанс работы завершен, изменения не отправлены, но сохранены в этом браузере: обновите страницу " +
  "(при необходимости войдите снова) — они будут отправлены.";
const KNOWN = new Set(["saved", "conflict", "error"]); // a cell's answer that settles it
const editor = document.getElementById("report-editor");
if (editor && editor.dataset.editable === "true") startEditor(editor);

function startEditor(root) {
  const url = root.dataset.autosaveUrl;
  const csrf = root.dataset.csrf;
  const storageKey = `${PENDING_PREFIX}${root.dataset.user}:${root.dataset.report}`;
  const statusBox = document.getElementById("save-status");
  const queue = new Map(); // address → input
  const failed = new Set(); // inputs whose last value the server refused
  let inflight = false;
  let retryDelay = 1000;
  let retryTimer = null;
  let lastSavedAt = "";
  let pendingForm = null;
  let stale = false; // the session ended: edits wait in the browser for the reopened page

  const address = (input) => `${input.dataset.table}|${input.dataset.row}|${input.dataset.column}`;
  const inputs = [...root.querySelectorAll("input.cell-input")];
  const byAddress = new Map(inputs.map((input) => [address(input), input]));
  for (const input of inputs) input.dataset.saved = input.defaultValue;

  // grids[table] = rows of cells; a computed cell is null so pasted blocks keep their columns.
  const grids = [...root.querySelectorAll("table.report-table")].map((table) =>
    [...table.tBodies[0].rows]
      .filter((tr) => tr.dataset.row)
      .map((tr) => [...tr.querySelectorAll("td.cell")].map((td) => td.querySelector("input.cell-input"))),
  );
  const position = new Map();
  grids.forEach((grid, t) =>
    grid.forEach((row, r) => row.forEach((input, c) => input && position.set(input, { t, r, c }))),
  );

  // --- the copy of unanswered edits in localStorage: {address: {value, version}} -------------
  function readStored() {
    try {
      const stored = JSON.parse(localStorage.getItem(storageKey) || "{}");
      return stored && typeof stored === "object" ? stored : {};
    } catch {
      return {};
    }
  }

  function writeStored(stored) {
    try {
      if (Object.keys(stored).length) localStorage.setItem(storageKey, JSON.stringify(stored));
      else localStorage.removeItem(storageKey);
    } catch {
      // Storage full or disabled: the queue in memory still holds the edit.
    }
  }

  function remember(input) {
    const stored = readStored();
    stored[address(input)] = { value: input.value, version: Number(input.dataset.version) };
    writeStored(stored);
  }

  function forget(input) {
    const stored = readStored();
    delete stored[address(input)];
    writeStored(stored);
  }

  // The server answered `sentValue`: forget it, or, when a newer value was typed meanwhile, keep
  // that one based on the version the server has now.
  function settle(input, sentValue, version = null) {
    const stored = readStored();
    const entry = stored[address(input)];
    if (!entry) return;
    if (entry.value === sentValue) delete stored[address(input)];
    else if (version !== null) entry.version = version;
    writeStored(stored);
  }

  // --- the report's state: status line and the notice after «Сдать отчет» ---------------------
  function showReport(report) {
    if (!report) return;
    const label = document.getElementById("report-status-label");
    if (label && report.status_label) label.textContent = report.status_label;
    const submitted = report.status === "submitted";
    const unsubmitted = submitted && Boolean(report.has_unsubmitted_changes);
    for (const element of document.querySelectorAll("[data-show-if-unsubmitted]")) {
      element.hidden = !unsubmitted;
    }
    const notice = document.getElementById("submitted-notice");
    if (notice && !submitted) notice.hidden = true;
  }
  document.addEventListener("report-state", (event) => showReport(event.detail));

  function setState(input, state, message = "") {
    const td = input.closest("td");
    td.dataset.state = state;
    const label = td.querySelector(".cell-state");
    label.textContent = message;
    input.title = message;
    input.setAttribute("aria-invalid", state === "error" ? "true" : "false");
  }

  function showStatus(text, kind = "") {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.dataset.kind = kind;
  }

  function hasUnsaved() {
    return queue.size > 0 || inflight || [...failed].some((i) => i.value !== i.dataset.saved);
  }

  function refreshStatus() {
    if (queue.size || inflight) showStatus("Сохранение…", "saving");
    else if (failed.size) showStatus("Есть несохраненные ячейки: исправьте отмеченные значения.", "error");
    else if (lastSavedAt) showStatus(`Все изменения сохранены в ${lastSavedAt} (МСК)`, "saved");
  }

  function enqueue(input) {
    if (input.value === input.dataset.saved && !failed.has(input)) {
      if (!queue.has(address(input))) return;
    }
    queue.set(address(input), input);
    remember(input);
    setState(input, "saving", "");
    refreshStatus();
    flush();
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function apply(result, input, sentValue) {
    const row = input.closest("tr");
    // A "conflict" whose newer value is the one sent (the same edit replayed by a second tab
    // or after a reopen) is no conflict for the person typing.
    const same = result.status === "conflict" && result.value === sentValue;
    if (result.status === "saved" || same) {
      input.dataset.version = result.version;
      input.dataset.saved = result.value;
      failed.delete(input);
      settle(input, sentValue, result.version);
      if (input.value === sentValue) {
        input.value = result.value;
        setState(input, "saved", "");
      }
      for (const [key, value] of Object.entries(result.totals || {})) {
        const output = row.querySelector(`output[data-total="${key}"]`);
        if (output) output.textContent = value;
      }
    } else if (result.status === "conflict") {
      input.dataset.version = result.version;
      input.dataset.saved = result.value;
      input.value = result.value;
      failed.delete(input);
      forget(input); // the input now shows the newer value: nothing of this cell is kept
      setState(input, "conflict", `Значение изменено в другой вкладке: показано новое «${result.value}».`);
    } else {
      failed.add(input);
      settle(input, sentValue);
      setState(input, "error", result.message || "Значение не сохранено.");
    }
  }

  async function post(cells) {
    // Resolves to the parsed answer, or null when it must be retried (no connection, a server
    // failure, an answer that is not the autosave's JSON).
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ cells }),
      });
      // Sent to the login page (the session ended) or refused by the CSRF check (a new login
      // elsewhere changed the token): this page can no longer save, a reopened one can.
      if (response.redirected) return { kind: "stale" };
      if (response.ok || response.status === 409) {
        const data = await response.json();
        return Array.isArray(data.results) ? { kind: "answered", data } : null;
      }
      if (response.status === 400 || response.status === 403) {
        const data = await response.json().catch(() => null);
        return data && data.error ? { kind: "refused", data } : { kind: "stale" };
      }
      return null;
    } catch {
      return null;
    }
  }

  async function flush() {
    if (inflight || queue.size === 0) return;
    if (stale) {
      showStatus(STALE_MESSAGE, "error");
      return;
    }
    clearTimeout(retryTimer);
    const batch = [...queue.values()];
    const sent = new Map(batch.map((input) => [input, input.value]));
    queue.clear();
    inflight = true;
    refreshStatus();
    const cells = batch.map((input) => ({
      table: input.dataset.table,
      row: input.dataset.row,
      column: input.dataset.column,
      value: sent.get(input),
      version: Number(input.dataset.version),
    }));
    const answer = await post(cells);
    inflight = false;
    if (answer && answer.kind === "answered") {
      const { data } = answer;
      retryDelay = 1000;
      lastSavedAt = data.saved_at;
      const answered = new Set();
      for (const result of data.results) {
        const input = byAddress.get(`${result.table}|${result.row}|${result.column}`);
        if (input && sent.has(input) && KNOWN.has(result.status)) {
          apply(result, input, sent.get(input));
          answered.add(input);
        }
      }
      // A cell the answer does not settle (a block refused as a whole because another of its
      // cells conflicted) was not saved: send it again, never drop it.
      const again = batch.filter((input) => !answered.has(input));
      for (const input of again) {
        if (!queue.has(address(input))) queue.set(address(input), input);
      }
      showReport(data.report);
      if (again.length && !answered.size) {
        scheduleRetry(); // no progress at all: back off instead of asking again at once
        refreshStatus();
        return;
      }
    } else if (answer && answer.kind === "stale") {
      stale = true;
      for (const input of batch) {
        if (!queue.has(address(input))) queue.set(address(input), input);
        setState(input, "offline", "Ждет отправки");
      }
      showStatus(STALE_MESSAGE, "error");
      return;
    } else if (answer && answer.kind === "refused") {
      // Refused for good (collection closed, not allowed): nothing to retry, say why.
      const message = answer.data.error || "Изменения не приняты.";
      for (const input of batch) {
        failed.add(input);
        settle(input, sent.get(input));
        setState(input, "error", message);
      }
      showStatus(message, "error");
      return;
    } else {
      // No connection or a server failure: keep every edit queued (newer edits win) and retry.
      for (const input of batch) {
        if (!queue.has(address(input))) queue.set(address(input), input);
        setState(input, "offline", "Ждет связи");
      }
      showStatus("Нет связи с сервером. Изменения сохранятся автоматически, когда связь восстановится.", "offline");
      scheduleRetry();
      return;
    }
    if (queue.size) flush();
    else refreshStatus();
    if (!hasUnsaved() && pendingForm) {
      const form = pendingForm;
      pendingForm = null;
      form.submit();
    }
  }

  function moveTo(input, dr, dc) {
    const { t, r, c } = position.get(input);
    const grid = grids[t];
    let row = r + dr;
    let col = c + dc;
    while (grid[row] && col >= 0 && col < grid[row].length && !grid[row][col]) col += dc || 1;
    if (dc && grid[row] && col >= grid[row].length) [row, col] = [row + 1, 0];
    if (dc && col < 0 && grid[row - 1]) [row, col] = [row - 1, grid[row - 1].length - 1];
    while (grid[row] && col >= 0 && col < grid[row].length && !grid[row][col]) col += dc < 0 ? -1 : 1;
    const target = grid[row] && grid[row][col];
    if (!target) return false;
    target.focus();
    target.select();
    return true;
  }

  root.addEventListener("change", (event) => {
    if (event.target.matches("input.cell-input")) enqueue(event.target);
  });

  root.addEventListener("input", (event) => {
    if (!event.target.matches("input.cell-input")) return;
    setState(event.target, "editing", "");
    // Kept while still being typed: a tab closed before the cell is left loses nothing either.
    remember(event.target);
  });

  root.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!input.matches("input.cell-input") || event.altKey || event.ctrlKey || event.metaKey) return;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    const moves = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      Enter: event.shiftKey ? [-1, 0] : [1, 0],
      Tab: event.shiftKey ? [0, -1] : [0, 1],
      ArrowLeft: atStart ? [0, -1] : null,
      ArrowRight: atEnd ? [0, 1] : null,
    };
    const move = moves[event.key];
    if (!move) return;
    enqueue(input);
    if (moveTo(input, ...move)) event.preventDefault();
  });

  root.addEventListener("paste", (event) => {
    const start = event.target;
    if (!start.matches("input.cell-input")) return;
    const text = event.clipboardData.getData("text/plain");
    if (!/[\t\n]/.test(text.replace(/\r?\n$/, ""))) return; // one value: let the browser paste it
    event.preventDefault();
    const lines = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
    const { t, r, c } = position.get(start);
    lines.forEach((line, dr) => {
      line.split("\t").forEach((value, dc) => {
        const target = grids[t][r + dr] && grids[t][r + dr][c + dc];
        if (!target) return; // outside the table or a computed column
        target.value = value.trim();
        enqueue(target);
      });
    });
  });

  window.addEventListener("online", () => {
    retryDelay = 1000;
    flush();
  });

  window.addEventListener("beforeunload", (event) => {
    if (hasUnsaved() && !stale) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // «Сдать отчет», adding and removing rows: send what is still queued first, then the form.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !form.matches(".js-after-save")) return;
    const active = document.activeElement;
    if (active && active.matches && active.matches("input.cell-input")) enqueue(active);
    if (queue.size || inflight) {
      event.preventDefault();
      pendingForm = form;
      showStatus("Сохранение… форма будет отправлена после сохранения.", "saving");
      flush();
    }
  });

  // Edits kept from an earlier visit (the tab was closed before they were sent), then values
  // typed before this script ran: send them now, each with the version it was typed at.
  const stored = readStored();
  for (const [key, entry] of Object.entries(stored)) {
    const input = byAddress.get(key);
    if (!input || !entry || typeof entry.value !== "string") {
      delete stored[key]; // the row was removed meanwhile
      continue;
    }
    if (entry.value === input.defaultValue && String(entry.version) === input.dataset.version) {
      delete stored[key]; // what the server already holds
      continue;
    }
    if (input.value === input.defaultValue) input.value = entry.value;
    input.dataset.version = String(Number(entry.version) || 0);
    queue.set(key, input);
    setState(input, "saving", "Восстановлено из браузера");
  }
  writeStored(stored);
  for (const input of inputs) {
    if (input.value !== input.defaultValue && !queue.has(address(input))) {
      queue.set(address(input), input);
      remember(input);
    }
  }
  root.dataset.ready = "true";
  if (queue.size) {
    refreshStatus();
    flush();
  }
}
