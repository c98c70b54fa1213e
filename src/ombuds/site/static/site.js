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
