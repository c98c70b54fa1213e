// Search in the browser, for the static site: council names from search/names.json, postcodes from the shards in
// search/postcodes/<OUTWARD>.json (see ombuds.registry.postcodes.postcode_shards).
import { answerForm, go, key, list, names, results, show } from "./search-results.js";

// What to say for a place outside the scheme's area: the scheme's [geography.elsewhere] (place → message with
// {postcode}), given by the page as data-elsewhere.
const ELSEWHERE = JSON.parse(results.dataset.elsewhere || "{}");
// What to say for a postcode two councils cover: the scheme's [words.site] two_tier_postcode ({postcode}, {count}).
const TWO_TIER = results.dataset.twoTier || "";
const OUTWARD = "(?:[A-Z]{1,2}[0-9][A-Z0-9]?|NPT)";
const FULL = new RegExp(`^${OUTWARD}[0-9][A-Z]{2}$`);
const OUTWARD_ONLY = new RegExp(`^${OUTWARD}$`);

function nationMessage(place, nation) {
  return ELSEWHERE[nation].replaceAll("{postcode}", place);
}

async function councilsAnswer(place, codes, message) {
  const all = await names();
  const byCode = new Map(all.map((entry) => [entry.code, entry]));
  const found = codes.map((code) => byCode.get(code)).filter(Boolean);
  if (!found.length) return show(`We have no figures for the councils that cover ${place}.`);
  return show(message || TWO_TIER.replaceAll("{postcode}", place).replaceAll("{count}", found.length), found);
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

// Ranked as ombuds.registry.search.find ranks them (keep the two in step): exact names and known short forms,
// then other names, then names that begin with the text, then names that contain it; an abolished authority's
// successor at its tier; existing before abolished; councils before other bodies; by the name people use.
const EXACT = 0, ALIAS = 1, BEGINS = 2, CONTAINS = 3;
const CLOSE = 0.75;

function tier(entry, wanted) {
  if (entry.main.includes(wanted)) return EXACT;
  if (entry.other.includes(wanted)) return ALIAS;
  const every = [...entry.main, ...entry.other];
  if (every.some((k) => k.startsWith(wanted))) return BEGINS;
  if (wanted.length >= 2 && every.some((k) => k.includes(wanted))) return CONTAINS;
  return null;
}

function find(all, text) {
  const wanted = key(text);
  const byCode = new Map(all.map((entry) => [entry.code, entry]));
  const tiers = new Map();
  const better = (code, t) => { if (!tiers.has(code) || t < tiers.get(code)) tiers.set(code, t); };
  for (const entry of wanted ? all : []) {
    const t = tier(entry, wanted);
    if (t === null) continue;
    better(entry.code, t);
    if (!entry.existing) for (const code of entry.successors) if (byCode.has(code)) better(code, t);
  }
  const found = [...tiers.keys()].map((code) => byCode.get(code)).sort((a, b) =>
    (tiers.get(a.code) - tiers.get(b.code)) || (a.existing === b.existing ? 0 : a.existing ? -1 : 1) ||
    (a.other_body === b.other_body ? 0 : a.other_body ? 1 : -1) || (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
  const best = found.filter((e) => tiers.get(e.code) === tiers.get(found[0]?.code));
  const sure = best.length === 1 && best[0].existing && (tiers.get(best[0].code) <= ALIAS || found.length === 1);
  return { found, sure };
}

function similarity(a, b) {
  if (!a || !b) return 0;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return 1 - row[b.length] / Math.max(a.length, b.length);
}

function closeSpellings(all, text, limit = 5) {
  const wanted = key(text);
  const scored = [];
  for (const entry of all) {
    let names = [...entry.main, ...entry.other];
    if (wanted.length >= 4) names = [...names, ...names.map((k) => k.slice(0, wanted.length))];
    const score = Math.max(...names.map((k) => similarity(wanted, k)));
    if (score >= CLOSE) scored.push([score, entry]);
  }
  scored.sort((x, y) => (y[0] - x[0]) || (x[1].existing === y[1].existing ? 0 : x[1].existing ? -1 : 1) ||
    (x[1].sort < y[1].sort ? -1 : x[1].sort > y[1].sort ? 1 : 0));
  return scored.slice(0, limit).map((pair) => pair[1]);
}

async function byName(text) {
  const all = await names();
  const { found, sure } = find(all, text);
  if (sure) return go(found[0]);
  if (found.length === 1) return show(`1 council matches “${text}”.`, found);
  if (found.length) return show(`${found.length} councils match “${text}”, the closest first.`, found.slice(0, 30));
  const close = closeSpellings(all, text);
  show(`No council matches “${text}”.`);
  if (close.length) {
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.textContent = "Did you mean:";
    results.append(p, list(close));
  }
  return null;
}

async function answer(text) {
  const query = text.trim();
  if (!query) return show("Enter a council's name or a postcode.");
  const compact = query.replace(/\s+/g, "").toUpperCase();
  const upper = query.toUpperCase();
  if (FULL.test(compact) || OUTWARD_ONLY.test(upper)) return postcode(FULL.test(compact) ? compact : upper);
  return byName(query);
}

answerForm(answer);
