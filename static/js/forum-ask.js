// While a question's title is typed, shows published questions with similar words, so that an
// answer already given is found before asking again. Without this script the «Проверить
// похожие» button does the same on the server.
const box = document.querySelector(".forum-similar[data-similar-url]");
const title = document.querySelector(".js-similar-source");

if (box && title) {
  const list = box.querySelector(".js-similar-list");
  const hint = box.querySelector(".js-similar-hint");
  let timer = null;
  let latest = 0;

  const show = (results) => {
    list.replaceChildren(
      ...results.map((result) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = result.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = result.title;
        const category = document.createElement("span");
        category.className = "small text-body-secondary";
        category.textContent = ` · ${result.category}`;
        item.append(link, category);
        return item;
      }),
    );
    hint.textContent = results.length
      ? "Если ответ нашелся, отправлять вопрос не нужно."
      : "Похожих вопросов не найдено.";
  };

  const lookUp = async () => {
    const text = title.value.trim();
    if (text.length < 4) return;
    const request = ++latest;
    const url = new URL(box.dataset.similarUrl, window.location.href);
    url.searchParams.set("title", text);
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || request !== latest) return;
      show((await response.json()).results);
    } catch {
      // Offline or the server is busy: the «Проверить похожие» button still works.
    }
  };

  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 400);
  });
}
