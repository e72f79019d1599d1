/* Enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var narrow = window.matchMedia("(max-width: 720px)");
  var FILTER_STATE = "filters-state";

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
    keepFilterState(filters);
  }

  /* A tick in the filters loads the page anew: note where the reader was, so that the new
     page opens the filters and puts the same value under the same finger. */
  function keepFilterState(filters) {
    var aside = filters.closest("aside");
    function remember(href, source) {
      var item = source.closest("[data-value]");
      var section = source.closest("[data-facet]");
      var state = {
        href: new URL(href, location.href).href,
        open: filters.open,
        facet: section ? section.getAttribute("data-facet") : null,
        value: item ? item.getAttribute("data-value") : null,
        top: source.getBoundingClientRect().top,
        scrollY: window.scrollY,
        details: Array.prototype.map.call(
          aside.querySelectorAll("details[data-keep][open]"),
          function (d) { return d.getAttribute("data-keep"); })
      };
      try { sessionStorage.setItem(FILTER_STATE, JSON.stringify(state)); } catch (e) { /* private mode */ }
    }
    aside.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey ||
          event.metaKey || event.shiftKey) return;
      remember(link.getAttribute("href"), link);
    });
    aside.addEventListener("submit", function (event) {
      var form = event.target;
      var query = new URLSearchParams(new FormData(form)).toString();
      remember(form.getAttribute("action") + (query ? "?" + query : ""), form);
    });
    restoreFilterState(filters, aside);
  }

  function restoreFilterState(filters, aside) {
    var state = null;
    try {
      state = JSON.parse(sessionStorage.getItem(FILTER_STATE) || "null");
      sessionStorage.removeItem(FILTER_STATE);
    } catch (e) { return; }
    if (!state || state.href !== location.href) return;
    if (state.open) filters.open = true;
    state.details.forEach(function (key) {
      var details = aside.querySelector('details[data-keep="' + CSS.escape(key) + '"]');
      if (details) details.open = true;
    });
    var anchor = null;
    if (state.facet && state.value !== null) {
      var section = aside.querySelector('[data-facet="' + CSS.escape(state.facet) + '"]');
      var item = section && section.querySelector('[data-value="' + CSS.escape(state.value) + '"]');
      if (item && item.getClientRects().length) anchor = item;
    }
    if (anchor) {
      window.scrollTo(0, anchor.getBoundingClientRect().top + window.scrollY - state.top);
    } else {
      window.scrollTo(0, state.scrollY);
    }
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

  /* The search box as a combobox (WAI-ARIA 1.2, list autocomplete): completions of titles'
     words, persons and ministries from /api/suggest, typed with or without accents. */
  var KINDS = { term: "Từ trong tiêu đề", person: "Nhân vật", ministry: "Bộ, ngành",
                category: "Chuyên mục", source: "Nguồn tin" };
  var FILTER_KINDS = { person: 1, ministry: 1, category: 1, source: 1 };
  var DEBOUNCE_MS = 200;
  var MIN_CHARS = 2;

  function setUpSuggestions() {
    var box = document.getElementById("q");
    if (!box || !box.getAttribute("data-suggest") || !window.fetch) return;
    var form = box.form;
    var endpoint = box.getAttribute("data-suggest");
    var list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Gợi ý tìm kiếm");
    list.hidden = true;
    // a press in the list (an option, its scroll bar) keeps the focus, and the list, in the box
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    var status = document.createElement("div");
    status.id = "q-suggestions-status";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.parentNode.appendChild(list);
    box.parentNode.appendChild(status);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("autocomplete", "off");  // the list below takes the browser's place

    var options = [];  // {text, kind, count}
    var active = -1;
    var timer = null;
    var pending = null;
    var shownFor = null;  // the text the listed options complete

    function announce(text) {
      status.textContent = text;
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, n) {
        li.setAttribute("aria-selected", n === index ? "true" : "false");
      });
      if (index >= 0) {
        var li = list.children[index];
        box.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (!options.length) return;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function render(found) {
      options = found;
      list.textContent = "";
      found.forEach(function (option, n) {
        var li = document.createElement("li");
        li.id = "q-suggestion-" + n;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-kind", option.kind);
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = option.text;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = (KINDS[option.kind] || option.kind) + " · " +
          option.count.toLocaleString("vi-VN") + " bài";
        li.appendChild(text);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(kind);
        li.addEventListener("click", function () { choose(n); });
        list.appendChild(li);
      });
      active = -1;
      box.removeAttribute("aria-activedescendant");
      if (found.length) {
        open();
        announce(found.length + " gợi ý. Dùng phím mũi tên lên, xuống để chọn, Enter để tìm.");
      } else {
        close();
        announce("Không có gợi ý.");
      }
    }

    function fetchSuggestions() {
      var typed = box.value.trim();
      if (typed.length < MIN_CHARS) {
        options = [];
        shownFor = null;
        list.textContent = "";
        close();
        return;
      }
      if (typed === shownFor) { open(); return; }
      if (pending) pending.abort();
      pending = new AbortController();
      var url = endpoint + "?" + new URLSearchParams({ q: typed }).toString();
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          // an answer for text the reader has since changed is dropped
          if (!body || box.value.trim() !== typed) return;
          shownFor = typed;
          render(body.suggestions || []);
        })
        .catch(function (error) { if (error.name !== "AbortError") close(); });
    }

    function choose(index) {
      var option = options[index];
      if (!option) return;
      close();
      if (FILTER_KINDS[option.kind]) {
        // a person or a ministry is a filter: the words typed were its name
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = option.kind;
        field.value = option.text;
        form.appendChild(field);
        box.value = "";
      } else {
        box.value = option.text;
      }
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });
    box.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!options.length) return;
          if (!expanded) { open(); if (!event.altKey) setActive(0); return; }
          setActive(active + 1 < options.length ? active + 1 : 0);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!options.length) return;
          if (!expanded) { open(); setActive(options.length - 1); return; }
          setActive(active > 0 ? active - 1 : options.length - 1);
          break;
        case "Enter":
          if (expanded && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (expanded) {
            event.preventDefault();  // keep the text: the browser would clear a search field
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });
    box.addEventListener("blur", function () { close(); });
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
    setUpSuggestions();
    setUpBackLinks();
  });
})();
