// Self-test progress: which questions the reader marked as known. Stored only in this browser
// (localStorage); no markup is ever built from strings, only DOM nodes with textContent.
(function () {
  "use strict";
  var KEY = "ml-interview-questions:known:v1";

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return new Set(Array.isArray(list) ? list.filter(function (x) { return /^[A-Z]{2}\d{4}$/.test(x); }) : []);
    } catch (err) {
      return new Set();
    }
  }

  function save(known) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(Array.from(known).sort()));
    } catch (err) {
      /* storage full or disabled: progress simply is not kept */
    }
  }

  function questionId() {
    var h1 = document.querySelector(".md-content h1");
    var m = h1 && h1.textContent.match(/^([A-Z]{2}\d{4}) ·/);
    return m ? m[1] : null;
  }

  function renderToggle() {
    var qid = questionId();
    if (!qid || document.querySelector(".selftest-toggle")) return;
    var h1 = document.querySelector(".md-content h1");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button selftest-toggle";
    function paint() {
      var known = load().has(qid);
      button.setAttribute("aria-pressed", known ? "true" : "false");
      button.textContent = known ? "✓ Known (click to unmark)" : "Mark as known";
      button.classList.toggle("md-button--primary", known);
    }
    button.addEventListener("click", function () {
      var known = load();
      if (known.has(qid)) known.delete(qid); else known.add(qid);
      save(known);
      paint();
    });
    paint();
    // the build leaves a sized slot under the title, so the button moves nothing
    var slot = document.querySelector(".selftest-slot");
    if (slot) slot.appendChild(button); else h1.insertAdjacentElement("afterend", button);
  }

  function renderIndex() {
    var cells = document.querySelectorAll(".selftest-status[data-qid]");
    if (!cells.length) return;
    var known = load();
    var count = 0;
    cells.forEach(function (cell) {
      var isKnown = known.has(cell.getAttribute("data-qid"));
      if (isKnown) count += 1;
      cell.textContent = isKnown ? "✓ known" : "not yet";
      cell.classList.toggle("selftest-known", isKnown);
    });
    var progress = document.getElementById("selftest-progress");
    if (progress) progress.textContent = count + " of " + cells.length + " questions marked as known.";
    var reset = document.getElementById("selftest-reset");
    if (reset && !reset.dataset.bound) {
      reset.dataset.bound = "1";
      reset.addEventListener("click", function () {
        save(new Set());
        renderIndex();
      });
    }
  }

  // Material gives every code block a <nav> of actions; with several on one page (the print
  // page) they need distinct names to be distinct landmarks.
  function labelCodeNavs() {
    document.querySelectorAll(".md-code__nav").forEach(function (nav, i) {
      nav.setAttribute("aria-label", "Code block " + (i + 1) + " actions");
    });
  }

  function render() {
    renderToggle();
    renderIndex();
    window.setTimeout(labelCodeNavs, 0);
  }

  // Material's instant navigation swaps pages without reloading: re-render on every page.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(render);
  } else {
    document.addEventListener("DOMContentLoaded", render);
  }
})();
