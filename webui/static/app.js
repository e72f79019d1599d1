/* Enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var narrow = window.matchMedia("(max-width: 720px)");

  /* Accent-insensitive form of a name, as the server compares them. */
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  /* Filters: collapsed on a phone, always open on a wider screen. */
  function setUpFilters() {
    var filters = document.querySelector("details.filters");
    if (!filters) return;
    function fit() { filters.open = !narrow.matches; }
    fit();
    narrow.addEventListener("change", fit);
  }

  /* Person box: narrow the listed names while typing; Enter searches every name. */
  function setUpPersonBox() {
    var box = document.getElementById("person-q");
    if (!box) return;
    var section = box.closest(".facet");
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      section.querySelectorAll(".values li").forEach(function (item) {
        var names = fold(item.getAttribute("data-value") || "").split(/\s+/);
        var match = words.every(function (w) {
          return names.some(function (n) { return n.indexOf(w) === 0; });
        });
        item.hidden = !match;
      });
      var more = section.querySelector("details.more");
      if (more && words.length) more.open = true;
    });
  }

  /* "Back to the search": return to the very page the reader came from, scroll included. */
  function setUpBackLinks() {
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      var from = document.referrer ? new URL(document.referrer) : null;
      if (!from || from.origin !== location.origin || from.pathname !== link.pathname) return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        history.back();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpFilters();
    setUpPersonBox();
    setUpBackLinks();
  });
})();
