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
  // The language switcher changes language as soon as one is picked (its button stays
  // for keyboards and for browsers without this file).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
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

  // The intake: topic pickers with a search box and a limit; the weekly grid.
  function setUpTopicPicker(picker) {
    var limit = parseInt(picker.dataset.limit, 10);
    var boxes = picker.querySelectorAll("input[type=checkbox]");
    var count = picker.querySelector("[data-chosen]");
    var search = picker.querySelector(".topic-search");
    function refresh() {
      var chosen = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      count.textContent = chosen;
      boxes.forEach(function (box) {
        box.disabled = !box.checked && chosen >= limit;
        box.closest("label").classList.toggle("is-disabled", box.disabled);
      });
    }
    picker.addEventListener("change", refresh);
    refresh();
    if (!search) { return; }
    search.hidden = false;
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var any = false;
      picker.querySelectorAll(".topic-group").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("label.topic").forEach(function (label) {
          var match = !words || label.textContent.toLowerCase().indexOf(words) !== -1;
          label.hidden = !match;
          if (match) { shown += 1; }
        });
        group.hidden = shown === 0;
        any = any || shown > 0;
      });
      picker.querySelector(".topic-none").hidden = any;
    });
    // Enter in the search box must not submit the whole intake.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
  }

  var DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  function clock(halfHours) {
    var h = Math.floor(halfHours / 2);
    return (h < 10 ? "0" : "") + h + ":" + (halfHours % 2 ? "30" : "00");
  }
  function daysText(days) {
    var parts = [], i = 0;
    while (i < days.length) {
      var j = i;
      while (j + 1 < days.length && days[j + 1] === days[j] + 1) { j += 1; }
      if (j === i) { parts.push(DAYS[days[i]]); }
      else if (j === i + 1) { parts.push(DAYS[days[i]], DAYS[days[j]]); }
      else { parts.push(DAYS[days[i]] + "-" + DAYS[days[j]]); }
      i = j + 1;
    }
    return parts.join(",");
  }
  // The same form as the server's text_of(): each time range with the days that share it.
  function gridText(grid) {
    var byRange = {}, order = [];
    for (var day = 0; day < 7; day += 1) {
      var hours = Array.prototype.map.call(
        grid.querySelectorAll("input[data-day='" + day + "']:checked"),
        function (box) { return parseInt(box.dataset.hour, 10); }).sort(function (a, b) { return a - b; });
      var k = 0;
      while (k < hours.length) {
        var m = k;
        while (m + 1 < hours.length && hours[m + 1] === hours[m] + 1) { m += 1; }
        var key = clock(hours[k] * 2) + "-" + clock((hours[m] + 1) * 2);
        if (!byRange[key]) { byRange[key] = []; order.push(key); }
        byRange[key].push(day);
        k = m + 1;
      }
    }
    order.sort(function (a, b) { return byRange[a][0] - byRange[b][0] || (a < b ? -1 : 1); });
    return order.map(function (key) { return daysText(byRange[key]) + " " + key; }).join("; ");
  }
  function setUpWeekGrid(grid) {
    var form = grid.closest("form");
    var text = form.querySelector("[name=availability]");
    var source = form.querySelector("[name=availability_source]");
    var painting = null;
    function changed() {
      text.value = gridText(grid);
      source.value = "grid";
    }
    grid.addEventListener("change", changed);
    text.addEventListener("input", function () { source.value = "text"; });
    grid.addEventListener("pointerdown", function (event) {
      var box = event.target.closest("td") && event.target.closest("td").querySelector("input");
      if (!box) { return; }
      painting = !box.checked;
    });
    grid.addEventListener("pointerover", function (event) {
      if (painting === null || !(event.buttons & 1)) { return; }
      var box = event.target.closest("td") && event.target.closest("td").querySelector("input");
      if (box && box.checked !== painting) {
        box.checked = painting;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    document.addEventListener("pointerup", function () { painting = null; });
    grid.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var move = moves[event.key];
      if (!move || !event.target.dataset.day) { return; }
      var day = parseInt(event.target.dataset.day, 10) + move[0];
      var hour = parseInt(event.target.dataset.hour, 10) + move[1];
      var next = grid.querySelector("input[data-day='" + day + "'][data-hour='" + hour + "']");
      if (next) { event.preventDefault(); next.focus(); }
    });
  }
  // After saving, the server sends back the availability as read: show it in both forms.
  document.addEventListener("htmx:afterSwap", function () {
    var echo = document.getElementById("availability-echo");
    var form = document.getElementById("intake-form");
    if (!echo || !form) { return; }
    var source = form.querySelector("[name=availability_source]");
    var text = form.querySelector("[name=availability]");
    if (source.value === "text" && document.activeElement !== text) {
      text.value = echo.dataset.text;
      var cells = (echo.dataset.cells || "").split(" ");
      form.querySelectorAll(".week-grid input").forEach(function (box) {
        box.checked = cells.indexOf(box.value) !== -1;
      });
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".topic-picker").forEach(setUpTopicPicker);
    document.querySelectorAll(".week-grid").forEach(setUpWeekGrid);
  });
})();
