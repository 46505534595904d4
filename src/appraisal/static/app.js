// Behaviour the pages share, kept out of the markup so that a strict Content-Security-Policy
// (scripts from this site only) holds: confirmations, the navigation's menu, auto-submitting
// filters, searched person fields, and moving around the score grid with the keyboard.
(function () {
  "use strict";

  // <form data-confirm="…"> or <button data-confirm="…">: ask before an irreversible action.
  document.addEventListener("submit", function (event) {
    var message = (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // The navigation's menu (系统管理), and on a phone the 菜单 button that unfolds the whole
  // navigation: each closes when one clicks elsewhere or presses Escape (focus returns to it).
  var MENUS = "details.menu[open], details.nav-toggle[open]";
  function closeMenus(target) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      var inside = target && (menu.contains(target)
        || (menu.classList.contains("nav-toggle") && target.closest(".topbar")));
      if (!inside) { menu.open = false; }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var focused = document.activeElement;
    var opened = Array.prototype.slice.call(document.querySelectorAll(MENUS));
    opened.forEach(function (menu) { menu.open = false; });
    if (!focused || focused.offsetParent !== null) { return; }
    // The focus was inside a menu now closed: back to the first of their buttons still shown.
    for (var i = 0; i < opened.length; i++) {
      var summary = opened[i].querySelector("summary");
      var held = opened[i].contains(focused) || (opened[i].classList.contains("nav-toggle") && focused.closest(".topbar"));
      if (held && summary.offsetParent !== null) { summary.focus(); return; }
    }
  });

  // Every table scrolls inside its own box (.scroll in app.css: the first column stays in view),
  // so that a wide table never makes the whole page scroll sideways; tables htmx brings in too.
  document.documentElement.classList.add("js");
  function boxTables(root) {
    if (!root || !root.querySelectorAll) { return; }
    var tables = root.matches && root.matches("table") ? [root] : root.querySelectorAll("table");
    Array.prototype.forEach.call(tables, function (table) {
      var parent = table.parentElement;
      if (!parent || parent.closest(".scroll, table") || !table.closest("main")) { return; }
      var box = document.createElement("div");
      box.className = "scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  boxTables(document);
  document.addEventListener("htmx:load", function (event) { boxTables(event.detail.elt); });

  // <select data-autosubmit>: a filter that applies as soon as it is chosen.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });

  // <input data-person-search> (a person field of a large office): Enter searches at once
  // instead of submitting the form around it with nobody chosen yet.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input.matches && input.matches("input[data-person-search]")) {
      event.preventDefault();
      input.dispatchEvent(new Event("search"));
    }
  });

  // A searched person field: an answer that arrives after the person was chosen (a slow search
  // typed before) keeps the choice when that person is among the people found.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.tagName === "SELECT" && target.value) { target.dataset.chosen = target.value; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.tagName !== "SELECT" || !target.dataset.chosen) { return; }
    var chosen = target.dataset.chosen;
    delete target.dataset.chosen;
    if (Array.prototype.some.call(target.options, function (o) { return o.value === chosen; })) { target.value = chosen; }
  });

  // A file field (.file-field in app.css): its label stands for the browser's button, so the
  // chosen file's name is written beside it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".file-field input[type=file]")) { return; }
    var name = input.parentElement.querySelector(".file-name");
    if (!name) { return; }
    var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    name.textContent = files.length ? files.join("、") : name.dataset.empty;
  });

  // The score grid: Tab moves along a row as usual; Enter moves down the same column and
  // Shift+Enter up, like a spreadsheet. Leaving a changed cell saves it (htmx, on change).
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("table.scores input[data-col]")) {
      return;
    }
    event.preventDefault();
    var column = document.querySelectorAll('table.scores input[data-col="' + input.dataset.col + '"]');
    var cells = Array.prototype.slice.call(column);
    var next = cells[cells.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) {
      next.focus();
      next.select();
    } else {
      input.blur();  // the last row: leaving the cell still saves it
    }
  });
})();
