// Reorder by drag and drop (HTML5 drag events) within groups of a list. The up/down
// buttons each view renders next to the rows are the keyboard and touch alternative.
//
//   makeSortable(listElement, {
//     rowSelector: "[data-id]",              // the draggable rows
//     group: (row) => row.dataset.parent,     // rows only move among their own group
//     onReorder: (ids, group) => …,           // the full new order of that group (numbers)
//     onDragState: (dragging) => …,           // e.g. hold re-renders during a drag
//   })  → cleanup()

export function makeSortable(list, { rowSelector, group = () => "", onReorder, onDragState }) {
  let dragged = null;
  let marker = null; // {row, after}

  const rows = () => [...list.querySelectorAll(rowSelector)];
  const clearMarker = () => {
    for (const row of list.querySelectorAll(".drop-before, .drop-after")) {
      row.classList.remove("drop-before", "drop-after");
    }
    marker = null;
  };

  function onDragStart(event) {
    const row = event.target.closest && event.target.closest(rowSelector);
    if (!row || !list.contains(row) || row.getAttribute("draggable") !== "true") return;
    dragged = row;
    row.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.id);
    if (onDragState) onDragState(true);
  }

  function onDragOver(event) {
    if (!dragged) return;
    const row = event.target.closest && event.target.closest(rowSelector);
    if (!row || row === dragged || group(row) !== group(dragged)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = row.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    if (!marker || marker.row !== row || marker.after !== after) {
      clearMarker();
      row.classList.add(after ? "drop-after" : "drop-before");
      marker = { row, after };
    }
  }

  function onDrop(event) {
    if (!dragged || !marker) return;
    event.preventDefault();
    const key = group(dragged);
    const ids = rows()
      .filter((row) => group(row) === key && row !== dragged)
      .map((row) => row);
    let index = ids.indexOf(marker.row);
    if (marker.after) index += 1;
    ids.splice(index, 0, dragged);
    const order = ids.map((row) => Number(row.dataset.id));
    const before = rows()
      .filter((row) => group(row) === key)
      .map((row) => Number(row.dataset.id));
    finish();
    if (order.join() !== before.join()) onReorder(order, key);
  }

  function finish() {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearMarker();
    if (onDragState) onDragState(false);
  }

  list.addEventListener("dragstart", onDragStart);
  list.addEventListener("dragover", onDragOver);
  list.addEventListener("drop", onDrop);
  list.addEventListener("dragend", finish);
  return () => {
    list.removeEventListener("dragstart", onDragStart);
    list.removeEventListener("dragover", onDragOver);
    list.removeEventListener("drop", onDrop);
    list.removeEventListener("dragend", finish);
  };
}

/** The order of `ids` with `id` moved one step up (-1) or down (+1); null at an end. */
export function moved(ids, id, delta) {
  const index = ids.indexOf(id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= ids.length) return null;
  const copy = ids.slice();
  [copy[index], copy[target]] = [copy[target], copy[index]];
  return copy;
}
