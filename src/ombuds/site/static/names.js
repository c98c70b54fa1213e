// Search by name in the browser, for the static site of a scheme without postcodes: names from search/names.json.
// Live, the server has already answered a ?q= search, and this script leaves its answer alone.
const results = document.getElementById("search-results");
const form = document.querySelector("form.search-form");
const input = document.getElementById("q");

function key(text) {
  return text.toLowerCase().replace(/&/g, " and ").replace(/['’]/g, "").replace(/[^0-9a-z]+/g, " ").trim();
}

let namesPromise = null;
function names() {
  namesPromise ||= fetch(input.dataset.names).then((r) => (r.ok ? r.json() : [])).catch(() => []);
  return namesPromise;
}

function show(message, entries = []) {
  results.replaceChildren();
  const p = document.createElement("p");
  p.className = "govuk-body";
  p.id = "search-message";
  p.textContent = message;
  results.append(p);
  if (!entries.length) return;
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-list--bullet";
  for (const entry of entries) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = results.dataset.root + entry.url;
    link.textContent = entry.name;
    item.append(link);
    list.append(item);
  }
  results.append(list);
}

async function answer(text) {
  const { body, bodies } = results.dataset;
  const wanted = key(text.trim());
  if (wanted.length < 2) return show(`Enter at least two letters of the ${body}'s name.`);
  const found = (await names()).filter((e) => key(e.name).includes(wanted));
  if (found.length === 1) {
    window.location.href = results.dataset.root + found[0].url;
    return undefined;
  }
  if (found.length) return show(`${found.length} ${bodies} match “${text.trim()}”.`, found.slice(0, 30));
  return show(`No ${body} matches “${text.trim()}”.`);
}

if (results && form && input) {
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
