// «Экспорт результатов»: while the job runs, ask its JSON status every two seconds and show its
// messages and progress; when it is finished, reload the page, which then offers «Загрузить
// отчет» or says why it failed. Without this script the «Обновить» link does the same by hand.
const box = document.getElementById("export-job");
if (box && box.dataset.finished !== "true") {
  const list = box.querySelector(".export-messages");
  const progress = box.querySelector("progress");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(response.statusText);
      const job = await response.json();
      if (job.finished) {
        window.location.reload();
        return;
      }
      list.replaceChildren(
        ...job.messages.map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }),
      );
      if (progress && job.total) {
        progress.max = job.total;
        progress.value = job.done;
      }
    } catch {
      // A network hiccup: try again on the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1000);
}
