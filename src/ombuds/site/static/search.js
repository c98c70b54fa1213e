// Search in the browser, for the static site: council names from search/names.json, postcodes from the shards in
// search/postcodes/<OUTWARD>.json (see ombuds.registry.postcodes.postcode_shards). Live, the server has already
// answered a ?q= search, and this script leaves its answer alone.
const results = document.getElementById("search-results");
const form = document.querySelector("form.search-form");
const input = document.getElementById("q");

// What to say for a place outside the scheme's area: the scheme's [geography.elsewhere] (place → message with
// {postcode}), given by the page as data-elsewhere.
const ELSEWHERE = JSON.parse(results.dataset.elsewhere || "{}");
const OUTWARD = "(?:[A-Z]{1,2}[0-9][A-Z0-9]?|NPT)";
const FULL = new RegExp(`^${OUTWARD}[0-9][A-Z]{2}$`);
const OUTWARD_ONLY = new RegExp(`^${OUTWARD}$`);

function key(text) {
  return text.toLowerCase().replace(/&/g, " and ").replace(/['’]/g, "").replace(/[^0-9a-z]+/g, " ").trim();
}

function nationMessage(place, nation) {
  return ELSEWHERE[nation].replaceAll("{postcode}", place);
}

let namesPromise = null;
function names() {
  namesPromise ||= fetch(input.dataset.names).then((r) => (r.ok ? r.json() : [])).catch(() => []);
  return namesPromise;
}

function show(message, entries = []) {
  results.replaceChildren();
  if (message) {
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.textContent = message;
    results.append(p);
  }
  if (entries.length) {
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
}

function go(entry) {
  window.location.href = results.dataset.root + entry.url;
}

async function councilsAnswer(place, codes, message) {
  const all = await names();
  const byCode = new Map(all.map((entry) => [entry.code, entry]));
  const found = codes.map((code) => byCode.get(code)).filter(Boolean);
  if (!found.length) return show(`We have no figures for the councils that cover ${place}.`);
  return show(message || `${place} is covered by ${found.length} councils: the district council and the county ` +
    "council each handle different services.", found);
}

function findInward(shard, inward) {
  let low = 0;
  let high = shard.inward.length / 3 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const here = shard.inward.substr(middle * 3, 3);
    if (here === inward) return middle;
    if (here < inward) low = middle + 1; else high = middle - 1;
  }
  return -1;
}

async function postcode(compact) {
  const full = FULL.test(compact);
  const outward = full ? compact.slice(0, -3) : compact;
  const place = full ? `${outward} ${compact.slice(-3)}` : outward;
  const response = await fetch(`${results.dataset.shards}${outward}.json`).catch(() => null);
  if (!response || !response.ok) {
    return show(full ? `We cannot find ${place}: it may be new, no longer in use or mistyped; check it, or search ` +
      "for your council by name." : `We cannot find postcode district ${place}: check it, or search for your ` +
      "council by name.");
  }
  const shard = await response.json();
  const nations = shard.groups.filter((g) => g.nation).map((g) => g.nation);
  const onlyNation = nations.length && !shard.groups.some((g) => g.councils) && new Set(nations).size === 1;
  if (!full) {
    if (shard.councils.length) {
      const message = nations.length ? `Postcode district ${place} is partly in ${[...new Set(nations)].join(" and ")}; ` +
        "enter your full postcode to find your council." : "";
      return councilsAnswer(place, shard.councils, message || `Councils covering postcode district ${place}:`);
    }
    if (onlyNation) return show(nationMessage(place, nations[0]));
    return show(`Postcodes in ${place} are not linked to a council; search for your council by name instead.`);
  }
  const at = findInward(shard, compact.slice(-3));
  if (at < 0) {
    if (onlyNation) return show(nationMessage(place, nations[0]));
    return show(`We cannot find ${place}: it may be new, no longer in use or mistyped; check it, or search for ` +
      "your council by name.");
  }
  const group = shard.groups[shard.group ? parseInt(shard.group[at], 36) : 0] || {};
  if (group.nation) return show(nationMessage(place, group.nation));
  if (!group.councils) {
    return show(`${place} has no fixed location (it may be a PO box or a large organisation's postcode), so it is ` +
      "not linked to a council; search for your council by name instead.");
  }
  const all = await names();
  const found = group.councils.map((code) => all.find((entry) => entry.code === code)).filter(Boolean);
  if (found.length === 1) return go(found[0]);
  return councilsAnswer(place, group.councils);
}

async function byName(text) {
  const wanted = key(text);
  const all = await names();
  const exact = all.filter((e) => [e.name, ...e.aliases].some((n) => key(n) === wanted));
  const found = exact.length ? exact : wanted.length < 2 ? [] :
    all.filter((e) => [e.name, ...e.aliases].some((n) => key(n).includes(wanted)));
  if (found.length === 1) return go(found[0]);
  if (found.length) return show(`${found.length} councils match “${text}”.`, found.slice(0, 30));
  return show(`No council matches “${text}”. Try another spelling, or browse every council from A to Z.`);
}

async function answer(text) {
  const query = text.trim();
  if (!query) return show("Enter a council's name or a postcode.");
  const compact = query.replace(/\s+/g, "").toUpperCase();
  const upper = query.toUpperCase();
  if (FULL.test(compact) || OUTWARD_ONLY.test(upper)) return postcode(FULL.test(compact) ? compact : upper);
  return byName(query);
}

if (results && form && input) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value;
    const address = new URL(window.location.href);
    address.searchParams.set("q", query);
    window.history.replaceState(null, "", address);
    answer(query);
  });
  const asked = new URLSearchParams(window.location.search).get("q");
  if (asked && results.dataset.answered !== "yes") {
    input.value = asked;
    answer(asked);
  }
}
