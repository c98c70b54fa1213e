// What both in-browser searches share (search.js for councils and postcodes, names.js for a scheme without
// postcodes): the name key, the names from search/names.json, the list of results, and the form that answers a ?q=
// search. Live, the server has already answered a ?q= search, and `answerForm` leaves its answer alone.
export const results = document.getElementById("search-results");
const form = document.querySelector("form.search-form");
const input = document.getElementById("q");

// As ombuds.registry's name key: lower case, "&" as "and", no apostrophes, other punctuation as spaces.
export function key(text) {
  return text.toLowerCase().replace(/&/g, " and ").replace(/['’]/g, "").replace(/[^0-9a-z]+/g, " ").trim();
}

let namesPromise = null;
export function names() {
  namesPromise ||= fetch(input.dataset.names).then((r) => (r.ok ? r.json() : [])).catch(() => []);
  return namesPromise;
}

export function list(entries) {
  const listed = document.createElement("ul");
  listed.className = "govuk-list govuk-list--bullet";
  for (const entry of entries) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = results.dataset.root + entry.url;
    link.textContent = entry.name;
    item.append(link);
    if (entry.note) {
      const note = document.createElement("span");
      note.className = "govuk-hint govuk-!-display-inline search-note";
      note.textContent = `(${entry.note})`;
      item.append(" ", note);
    }
    listed.append(item);
  }
  return listed;
}

// The message (as the live page's #search-message) and the entries as links.
export function show(message, entries = []) {
  results.replaceChildren();
  if (message) {
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.id = "search-message";
    p.textContent = message;
    results.append(p);
  }
  if (entries.length) results.append(list(entries));
}

export function go(entry) {
  window.location.href = results.dataset.root + entry.url;
}

// `answer(text)` on each search, with the text kept in the address as ?q=, and for a ?q= the server left unanswered.
export function answerForm(answer) {
  if (!(results && form && input)) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const address = new URL(window.location.href);
    address.searchParams.set("q", input.value);
    window.history.replaceState(null, "", address);
    answer(input.value);
  });
  const asked = new URLSearchParams(window.location.search).get("q");
  if (asked && results.dataset.answered !== "yes") {
    input.value = asked;
    answer(asked);
  }
}
