// Brownout documentation: the menu button on small screens and the offline search.
// The index (search-index.js) is a script the page loads, so this works from a folder on disk.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  var menu = document.querySelector(".menu");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", String(open));
    });
  }

  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.BROWNOUT_SEARCH || { pages: [], types: [] };
  if (!input || !list) {
    return;
  }

  function terms(query) {
    return query.toLowerCase().split(/[^a-z0-9_.@-]+/).filter(function (t) { return t.length > 1; });
  }

  function count(text, term) {
    var n = 0, at = text.indexOf(term);
    while (at !== -1 && n < 20) { n++; at = text.indexOf(term, at + term.length); }
    return n;
  }

  // Scores every section of every page and every Javadoc type; a result must contain every term.
  function search(query) {
    var words = terms(query);
    if (words.length === 0) { return []; }
    var results = [];
    index.pages.forEach(function (page) {
      page.s.forEach(function (section) {
        var title = page.t.toLowerCase(), heading = section.h.toLowerCase(), text = section.x.toLowerCase();
        var score = 0, all = true;
        words.forEach(function (w) {
          var inText = count(text, w), s = inText + (heading.indexOf(w) !== -1 ? 8 : 0) + (title.indexOf(w) !== -1 ? 3 : 0);
          if (s === 0) { all = false; }
          score += s;
        });
        if (all) {
          results.push({ score: score, title: section.h, where: page.t,
            url: page.u + (section.a ? "#" + section.a : ""), text: section.x, words: words });
        }
      });
    });
    (index.types || []).forEach(function (type) {
      var name = type.t.toLowerCase(), all = true, score = 0;
      words.forEach(function (w) {
        if (name === w) { score += 30; } else if (name.indexOf(w) !== -1) { score += 10; } else { all = false; }
      });
      if (all) {
        results.push({ score: score, title: type.t, where: "Javadoc · " + type.p, url: type.u, text: "", words: words });
      }
    });
    results.sort(function (a, b) { return b.score - a.score; });
    return results.slice(0, 12);
  }

  function excerpt(text, words) {
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < words.length && at === -1; i++) { at = lower.indexOf(words[i]); }
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.substr(start, 160) + (start + 160 < text.length ? "…" : "");
  }

  function mark(element, text, words) {
    var lower = text.toLowerCase(), pos = 0;
    while (pos < text.length) {
      var next = -1, word = "";
      words.forEach(function (w) {
        var at = lower.indexOf(w, pos);
        if (at !== -1 && (next === -1 || at < next)) { next = at; word = w; }
      });
      if (next === -1) { element.appendChild(document.createTextNode(text.substring(pos))); break; }
      element.appendChild(document.createTextNode(text.substring(pos, next)));
      var m = document.createElement("mark");
      m.textContent = text.substr(next, word.length);
      element.appendChild(m);
      pos = next + word.length;
    }
  }

  var active = -1;
  function show(results) {
    list.textContent = "";
    active = -1;
    if (input.value.trim() === "") { list.hidden = true; return; }
    if (results.length === 0) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "Nothing found.";
      list.appendChild(none);
    }
    results.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = root + r.url;
      var title = document.createElement("span");
      mark(title, r.title, r.words);
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = r.where;
      a.appendChild(title);
      a.appendChild(where);
      if (r.text) {
        var text = document.createElement("span");
        text.className = "excerpt";
        mark(text, excerpt(r.text, r.words), r.words);
        a.appendChild(text);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function move(step) {
    var items = list.querySelectorAll("li a");
    if (items.length === 0) { return; }
    active = (active + step + items.length) % items.length;
    list.querySelectorAll("li").forEach(function (li, i) { li.classList.toggle("active", i === active); });
    items[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("input", function () { show(search(input.value)); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { input.value = ""; show([]); }
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var items = list.querySelectorAll("li a");
    if (items.length > 0) { window.location.href = items[Math.max(active, 0)].href; }
  });
  document.addEventListener("click", function (event) {
    if (!input.form.contains(event.target)) { list.hidden = true; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) { input.focus(); event.preventDefault(); }
  });
})();
