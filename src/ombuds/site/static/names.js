// Search by name in the browser, for the static site of a scheme without postcodes: names from search/names.json.
import { answerForm, go, key, names, results, show } from "./search-results.js";

async function answer(text) {
  const { body, bodies } = results.dataset;
  const wanted = key(text.trim());
  if (wanted.length < 2) return show(`Enter at least two letters of the ${body}'s name.`);
  const found = (await names()).filter((e) => key(e.name).includes(wanted));
  if (found.length === 1) return go(found[0]);
  if (found.length) return show(`${found.length} ${bodies} match “${text.trim()}”.`, found.slice(0, 30));
  return show(`No ${body} matches “${text.trim()}”.`);
}

answerForm(answer);
