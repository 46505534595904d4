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

  // The navigation's menu (系统管理) closes when one clicks elsewhere or presses Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });

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
