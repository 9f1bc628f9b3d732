// The distribution of participant codes across rooms: drag a code into another room, or choose
// its room in its select (keyboard, phone).
//
// The page works without this module: the selects are one form, sent by «Сохранить
// распределение». With it, every move is saved at once, to the same address and through the same
// service (capacity, this school's codes and rooms, rooms with a filled protocol, a code moved
// elsewhere meanwhile), one request at a time. Each request carries the room the page last knew
// the code in; every answer, saved or refused, brings where each code now is, and the board is
// redrawn from it, so the page never shows a state the server does not hold.

const form = document.querySelector("form[data-distribution]");
if (form) start(form);

const KEYBOARD_PAUSE = 700; // arrow keys step a select through the rooms: save where they stop
const fullMessage = (number, capacity) =>
  `В аудитории ${number} все места заняты (${capacity}): перемещение не выполнено. ` +
  "Сначала переместите из нее другого участника или увеличьте число мест.";
const frozenMessage = (number) =>
  `Протокол аудитории ${number} уже заполнен: ее список участников не меняется.`;
const CHANGED_ELSEWHERE =
  "Участники, добавленные в другом окне, появятся в списках после обновления страницы.";
const OFFLINE =
  "Нет связи с сервером: перемещение не сохранено. Повторите, когда связь восстановится.";
const NOT_SAVED =
  "Перемещение не сохранено: обновите страницу (если сеанс работы завершен, войдите снова).";

function start(form) {
  const status = form.querySelector("[data-testid=distribution-status]");
  const boxes = new Map(
    [...form.querySelectorAll("[data-room-box]")].map((box) => [box.dataset.roomId, box]),
  );
  const items = new Map(
    [...form.querySelectorAll("[data-code-id]")].map((item) => [item.dataset.codeId, item]),
  );
  // The rooms table above the board: its rows by room, the totals and the page's counts.
  const tableRows = new Map(
    [...document.querySelectorAll("tr[data-room-id]")].map((row) => [row.dataset.roomId, row]),
  );
  const totals = document.querySelector("[data-room-totals]");
  const seats = document.querySelector("[data-seats]");
  const codesTotal = document.querySelector("[data-codes-total]");
  const timers = new Map(); // item → pending keyboard save
  const unseen = new Map(); // room → codes the server holds there that the page does not show
  let queue = Promise.resolve();
  let dragged = null;

  const selectOf = (item) => item.querySelector("select");
  const seenOf = (item) => item.querySelector('input[name^="seen-"]');
  const codeOf = (item) => item.querySelector("[data-code]").textContent.trim();
  const roomOf = (item) => item.closest("[data-room-box]").dataset.roomId;
  const listOf = (roomId) => boxes.get(roomId).querySelector("ul");
  const where = (roomId) =>
    roomId ? `аудитория ${boxes.get(roomId).dataset.number}` : "не распределен";
  const order = (item) => [Number(item.dataset.grade), Number(item.dataset.number)];
  const after = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

  function say(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  // Put the item in the room's list in list order; a select that had focus keeps it.
  function place(item, roomId) {
    const list = listOf(roomId);
    if (item.parentElement === list) return;
    const focused = item.contains(document.activeElement) ? document.activeElement : null;
    const key = order(item);
    const next = [...list.children].find((other) => after(order(other), key));
    list.insertBefore(item, next ?? null);
    focused?.focus();
  }

  // How many codes a room holds: those on the page, and those the server reported that the page
  // does not show (a class added in another tab: they appear on reload).
  const count = (roomId) => listOf(roomId).children.length + (unseen.get(roomId) || 0);

  function recount() {
    for (const [roomId, box] of boxes) {
      box.querySelector("[data-empty]").hidden = listOf(roomId).children.length > 0;
      box.querySelector("[data-fill]").textContent = roomId
        ? `занято ${count(roomId)} из ${box.dataset.capacity}`
        : `участников: ${count(roomId)}`;
      const cell = tableRows.get(roomId)?.querySelector("[data-listed]");
      if (cell) cell.textContent = String(count(roomId));
    }
  }

  // The distribution as the server holds it after a request, saved or refused, and what
  // follows from it above the board: each room's «Протокол» cell and the totals come rendered
  // by the page's own partials.
  function apply(state) {
    const codes = state.codes || {};
    const rooms = Object.entries(state.rooms || {});
    for (const [roomId, room] of rooms) {
      const box = boxes.get(roomId);
      if (box) box.dataset.capacity = String(room.capacity);
      const cell = tableRows.get(roomId)?.querySelector("[data-protocol]");
      if (cell && room.protocol !== undefined) cell.innerHTML = room.protocol;
    }
    if (totals && state.totals !== undefined) totals.innerHTML = state.totals;
    if (seats) seats.textContent = String(rooms.reduce((sum, [, room]) => sum + room.capacity, 0));
    if (codesTotal) codesTotal.textContent = String(Object.keys(codes).length);
    for (const [codeId, item] of items) {
      if (codeId in codes) continue;
      item.remove(); // withdrawn in another tab
      items.delete(codeId);
    }
    const held = new Map();
    for (const [codeId, room] of Object.entries(codes)) {
      const roomId = room === null ? "" : String(room);
      held.set(roomId, (held.get(roomId) || 0) + 1);
      const item = items.get(codeId);
      if (!item || !boxes.has(roomId)) continue;
      seenOf(item).value = roomId;
      selectOf(item).value = roomId;
      place(item, roomId);
    }
    unseen.clear();
    for (const roomId of boxes.keys()) {
      const missing = (held.get(roomId) || 0) - listOf(roomId).children.length;
      if (missing > 0) unseen.set(roomId, missing);
    }
    recount();
  }

  const note = () => (unseen.size ? ` ${CHANGED_ELSEWHERE}` : "");

  function refusal(item, roomId) {
    const box = boxes.get(roomId);
    if (roomId === roomOf(item) || !roomId) return "";
    if (box.hasAttribute("data-frozen")) return frozenMessage(box.dataset.number);
    if (count(roomId) >= Number(box.dataset.capacity)) {
      return fullMessage(box.dataset.number, box.dataset.capacity);
    }
    return "";
  }

  function move(item, roomId) {
    if (roomId === roomOf(item)) {
      selectOf(item).value = roomId;
      return;
    }
    const refused = refusal(item, roomId);
    if (refused) {
      selectOf(item).value = roomOf(item);
      say(refused, "error");
      return;
    }
    place(item, roomId);
    selectOf(item).value = roomId;
    recount();
    say(`Сохранение: ${codeOf(item)} — ${where(roomId)}…`, "saving");
    queue = queue.then(() => save(item, roomId));
  }

  // One request per move, after the previous one answered: its `seen` is the room the server
  // last confirmed for the code.
  async function save(item, roomId) {
    const id = item.dataset.codeId;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    body.append(`code-${id}`, roomId);
    body.append(`seen-${id}`, seenOf(item).value);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      });
    } catch {
      putBack(item, OFFLINE);
      return;
    }
    const answer = await response.json().catch(() => null);
    if (!answer || !answer.codes) {
      putBack(item, (answer && answer.error) || NOT_SAVED);
      return;
    }
    apply(answer);
    if (response.ok) say(`${answer.message}: ${codeOf(item)} — ${where(roomId)}.${note()}`, "saved");
    else say(answer.error + note(), "error");
  }

  function putBack(item, message) {
    const seen = seenOf(item).value;
    place(item, seen);
    selectOf(item).value = seen;
    recount();
    say(message, "error");
  }

  // --- dragging: native HTML5 drag and drop (a mouse); touch and keyboard use the select ------
  for (const item of items.values()) {
    if (selectOf(item).disabled) continue; // its room's protocol is filled
    item.draggable = true;
    item.addEventListener("dragstart", (event) => {
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", codeOf(item));
    });
    item.addEventListener("dragend", () => {
      item.classList.remove("dragging");
      dragged = null;
      for (const box of boxes.values()) box.classList.remove("drop-target", "drop-refused");
    });
  }
  for (const [roomId, box] of boxes) {
    box.addEventListener("dragover", (event) => {
      if (!dragged || roomId === roomOf(dragged)) return;
      event.preventDefault(); // a drop here is handled, even a refused one: it says why
      event.dataTransfer.dropEffect = "move";
      const refused = Boolean(refusal(dragged, roomId));
      box.classList.toggle("drop-target", !refused);
      box.classList.toggle("drop-refused", refused);
    });
    box.addEventListener("dragleave", (event) => {
      if (!box.contains(event.relatedTarget)) box.classList.remove("drop-target", "drop-refused");
    });
    box.addEventListener("drop", (event) => {
      event.preventDefault();
      box.classList.remove("drop-target", "drop-refused");
      if (dragged) move(dragged, roomId);
    });
  }

  // --- the select: saved where a keyboard user stops (or leaves it) --------------------------
  const flush = (item) => {
    clearTimeout(timers.get(item));
    timers.delete(item);
    move(item, selectOf(item).value);
  };
  form.addEventListener("change", (event) => {
    const item = event.target.closest("[data-code-id]");
    if (!item) return;
    clearTimeout(timers.get(item));
    timers.set(item, setTimeout(() => flush(item), KEYBOARD_PAUSE));
  });
  form.addEventListener("focusout", (event) => {
    const item = event.target.closest("[data-code-id]");
    if (item && timers.has(item)) flush(item);
  });

  form.querySelector("[data-save-button]").hidden = true; // every change saves itself
  form.querySelector("[data-form-hint]").hidden = true;
  form.querySelector("[data-drag-hint]").hidden = false;
  form.classList.add("distribution-live");
}
