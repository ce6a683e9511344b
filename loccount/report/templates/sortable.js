// Sort a table.sortable by any column (click or Enter on its header) and filter its rows by the
// text of an input[data-filter="TABLE_ID"]. A cell's data-sort, where given, is what it sorts by;
// numbers sort as numbers, empty values always last. Numbers start largest first, text A to Z.
(function () {
  "use strict";
  function key(row, column) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-sort");
    return value === null ? cell.textContent.trim() : value;
  }
  function sortable(table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    function sort(column) {
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = rows.every(function (row) { var v = key(row, column); return v === "" || !isNaN(Number(v)); });
      var state = heads[column].getAttribute("aria-sort");
      var ascending = state === "none" ? !numeric : state === "descending";
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      Array.prototype.forEach.call(heads, function (th) { th.setAttribute("aria-sort", "none"); });
      heads[column].setAttribute("aria-sort", ascending ? "ascending" : "descending");
    }
    Array.prototype.forEach.call(heads, function (th, column) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      th.addEventListener("click", function () { sort(column); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(column); }
      });
    });
  }
  function filter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var count = document.getElementById(input.getAttribute("data-count"));
    var rows = table.tBodies[0].rows;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var haystack = (row.getAttribute("data-search") || row.textContent).toLowerCase();
        var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      if (count) { count.textContent = shown + " of " + rows.length; }
    });
  }
  document.querySelectorAll("table.sortable").forEach(sortable);
  document.querySelectorAll("input[data-filter]").forEach(filter);
})();
