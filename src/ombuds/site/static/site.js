// Enhancements only: every page works without this script.
// 1. Map tooltips: the hexagon's name and figure follow the pointer.
// 2. Type-ahead on the council search box, from the list of council names.
const tooltip = document.createElement("div");
tooltip.className = "map-tooltip";
tooltip.setAttribute("role", "presentation");
tooltip.hidden = true;

for (const map of document.querySelectorAll("svg.hex-map")) {
  if (!tooltip.isConnected) document.body.append(tooltip);
  map.addEventListener("pointerover", (event) => {
    const link = event.target.closest("a[data-code]");
    if (!link) return;
    tooltip.textContent = link.getAttribute("aria-label");
    tooltip.hidden = false;
  });
  map.addEventListener("pointermove", (event) => {
    tooltip.style.left = `${event.pageX + 12}px`;
    tooltip.style.top = `${event.pageY + 12}px`;
  });
  map.addEventListener("pointerout", () => { tooltip.hidden = true; });
}

const input = document.querySelector("input[data-names]");
if (input) {
  const list = document.createElement("datalist");
  list.id = "council-names";
  input.after(list);
  input.setAttribute("list", list.id);
  fetch(input.dataset.names).then((r) => (r.ok ? r.json() : [])).then((names) => {
    for (const entry of names) {
      const option = document.createElement("option");
      option.value = entry.name;
      list.append(option);
    }
  }).catch(() => {});
}

// 3. Sortable tables: a table marked data-sortable gets a button in each column heading; pressing it sorts the rows
//    by that column (numbers as numbers, "n/a" and words last), and again to reverse. aria-sort says which.
const sortValue = (cell) => {
  const text = cell.textContent.trim();
  const number = Number.parseFloat(text.replace(/,/g, ""));
  return Number.isNaN(number) || !/^[\d.,-]+%?$/.test(text.split(" ")[0]) ? {text} : {number, text};
};
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const headings = [...table.querySelectorAll("thead th")];
  const body = table.tBodies[0];
  headings.forEach((heading, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.textContent = heading.textContent;
    heading.replaceChildren(button);
    button.addEventListener("click", () => {
      const ascending = heading.getAttribute("aria-sort") !== "ascending";
      for (const other of headings) other.removeAttribute("aria-sort");
      heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = [...body.rows].map((row) => [sortValue(row.cells[column]), row]);
      rows.sort(([a], [b]) => {
        if ((a.number === undefined) !== (b.number === undefined)) return a.number === undefined ? 1 : -1;
        const order = a.number !== undefined ? a.number - b.number : a.text.localeCompare(b.text, "en-GB");
        return ascending ? order : -order;
      });
      body.append(...rows.map(([, row]) => row));
    });
  });
}
