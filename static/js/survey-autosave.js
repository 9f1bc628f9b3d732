// A questionnaire screen: autosave as answers change, show-if on the same screen, no loss.
//
// The page works without this module (every «Далее»/«Назад» saves the screen on the server).
// With it, each change posts the whole screen to the autosave address, the same rules as the
// screen's own submit. Until the server confirms, the screen's fields are also kept in
// localStorage: after a dropped connection the edits are retried (1 s … 30 s, and at once when
// the browser is back online); after a reload they are put back into the fields and sent again.

const form = document.querySelector("form[data-survey-form]");
if (form) start(form);

function start(form) {
  const url = form.dataset.autosaveUrl;
  const storageKey = form.dataset.storageKey;
  const status = form.querySelector("[data-autosave-status]");
  let dirty = false;
  let inflight = false;
  let retryDelay = 1000;
  let retryTimer = null;
  let typingTimer = null;

  const say = (text, kind = "") => {
    if (!status) return;
    status.textContent = text;
    status.dataset.kind = kind;
  };

  const fieldsSnapshot = () => {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "action") continue;
      if (el.type === "radio" || el.type === "checkbox") {
        if (!data[el.name]) data[el.name] = [];
        if (el.checked) data[el.name].push(el.value);
      } else if (el.type !== "hidden") {
        data[el.name] = [el.value];
      }
    }
    return data;
  };

  const restore = (data) => {
    for (const el of form.elements) {
      if (!(el.name in data)) continue;
      if (el.type === "radio" || el.type === "checkbox") el.checked = data[el.name].includes(el.value);
      else if (el.type !== "hidden") el.value = data[el.name][0] ?? "";
    }
  };

  const remember = () => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(fieldsSnapshot()));
    } catch (e) {
      /* storage full or disabled: the server copy still counts */
    }
  };
  const forget = () => {
    try {
      localStorage.removeItem(storageKey);
    } catch (e) {
      /* nothing to forget */
    }
  };

  const showErrors = (errors) => {
    for (const box of form.querySelectorAll("[data-error-for]")) {
      const message = errors[box.dataset.errorFor] || "";
      box.textContent = message;
      box.classList.toggle("d-block", Boolean(message));
      box.closest("fieldset.survey-question")?.classList.toggle("has-error", Boolean(message));
    }
  };

  async function flush() {
    if (inflight || !dirty) return;
    inflight = true;
    dirty = false;
    say("Сохранение…", "saving");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        retryDelay = 1000;
        showErrors(answer.errors || {});
        const refused = Object.keys(answer.errors || {}).length;
        if (!dirty) forget();
        say(
          refused
            ? "Часть ответов не сохранена: исправьте отмеченные."
            : `Ответы сохранены в ${answer.saved_at}.`,
          refused ? "error" : "saved",
        );
      } else if (response.status === 409 || response.status === 403 || response.status === 404) {
        // Refused for good (sent, closed, session over): say why, keep the local copy.
        say(answer.error || "Ответы не сохранены: обновите страницу.", "error");
      } else {
        throw new Error(String(response.status));
      }
    } catch (e) {
      dirty = true;
      say("Нет связи с сервером. Ответы сохранены на этом устройстве и будут отправлены, когда связь восстановится.", "offline");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    } finally {
      inflight = false;
      if (dirty && !retryTimer) flush();
    }
  }

  const changed = () => {
    dirty = true;
    remember();
    applyConditions();
    clearTimeout(retryTimer);
    retryTimer = null;
    flush();
  };

  // Show-if within the screen: a question whose condition's question is on this screen.
  function applyConditions() {
    for (const box of form.querySelectorAll("fieldset[data-show-if]")) {
      const wanted = box.dataset.showIfValues.split(/\r?\n/).map((v) => v.trim()).filter(Boolean);
      const chosen = [...form.querySelectorAll(`[name="${box.dataset.showIf}"]`)]
        .filter((el) => el.checked)
        .map((el) => el.value);
      const parentBox = form.querySelector(`#${CSS.escape(box.dataset.showIf)}`);
      const parentShown = !parentBox || !parentBox.hidden;
      box.hidden = !(parentShown && chosen.some((v) => wanted.includes(v)));
      box.querySelector(".condition-note")?.setAttribute("hidden", "");
    }
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", (event) => {
    if (event.target.type === "radio" || event.target.type === "checkbox") return;
    dirty = true;
    remember();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(changed, 800);
  });
  form.addEventListener("submit", () => forget());
  window.addEventListener("online", () => {
    retryDelay = 1000;
    flush();
  });

  // An answer given before this module ran (a slow page, a quick respondent) fired its change
  // event before anyone listened: find it by comparing with what the server rendered.
  const changedBeforeStart = [...form.elements].some((el) => {
    if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return [...el.options].some((o) => o.selected !== o.defaultSelected);
    if (el.type === "hidden" || !("defaultValue" in el)) return false;
    return el.value !== el.defaultValue;
  });
  if (changedBeforeStart) changed();

  // After a reload without a confirmed save: put the edits back and send them.
  try {
    const kept = localStorage.getItem(storageKey);
    if (kept) {
      restore(JSON.parse(kept));
      dirty = true;
      flush();
    }
  } catch (e) {
    forget();
  }
  applyConditions();
}
