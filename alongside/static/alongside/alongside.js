// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Close an open menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });
  // On a phone a wide table stacks into one card per row (alongside.css); label each
  // cell with its column's heading, and keep the table's roles for screen readers.
  function labelTables() {
    document.querySelectorAll("table.table").forEach(function (table) {
      if (table.dataset.labelled) { return; }
      var headings = Array.prototype.map.call(
        table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      if (!headings.length) { return; }
      table.dataset.labelled = "1";
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) { group.setAttribute("role", "rowgroup"); });
      table.querySelectorAll("tr").forEach(function (row) {
        row.setAttribute("role", "row");
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (cell.closest("thead")) { cell.setAttribute("role", "columnheader"); return; }
          cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
          if (headings[index] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", headings[index]); }
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", labelTables);
  document.addEventListener("htmx:afterSettle", labelTables);
})();
