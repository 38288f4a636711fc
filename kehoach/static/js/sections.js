/* kehoach: long pages read in parts.
 *
 * A page marks its parts with `data-section` (an id, and optionally the label to show; else the text of
 * the part's .card-header or first heading) and includes "includes/toc.html" where the table of
 * contents goes; `data-section-phone="folded"` starts a part folded on phones. This script
 *  - lists the parts in the table of contents: a sticky bar on wide screens, a folded list on phones;
 *  - marks the part being read (aria-current) as the page scrolls;
 *  - gives each part a button to fold it away, and the contents bar "fold all" / "unfold all";
 *  - unfolds a part when it is reached through the contents or an #anchor, and everything for printing.
 */
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 991.98px)");

  function label(part) {
    if (part.dataset.section) return part.dataset.section;
    var head = part.querySelector(".card-header, h2, h3, summary");
    if (!head) return part.id;
    var first = head.querySelector("span, strong") || head;
    return first.textContent.replace(/\s+/g, " ").trim();
  }

  function setFolded(part, folded) {
    part.classList.toggle("section-folded", folded);
    var button = part.querySelector(":scope > .card-header .section-fold, :scope > .section-head .section-fold");
    if (button) {
      button.setAttribute("aria-expanded", String(!folded));
      button.title = folded ? "Mở phần này" : "Thu gọn phần này";
    }
  }

  function addFoldButton(part, name) {
    var head = part.querySelector(":scope > .card-header, :scope > .section-head");
    if (!head) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "section-fold no-print";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", "Thu gọn hoặc mở phần “" + name + "”");
    button.title = "Thu gọn phần này";
    button.addEventListener("click", function () {
      setFolded(part, !part.classList.contains("section-folded"));
    });
    // Before the part's title: into the header's first <span> when the title is one (the header then
    // keeps its own layout, e.g. title left and links right), else at the start of the header.
    var first = head.firstChild;
    while (first && first.nodeType === 3 && !first.textContent.trim()) first = first.nextSibling;
    var host = first && first.nodeType === 1 && /^(SPAN|STRONG)$/.test(first.tagName) ? first : head;
    host.insertBefore(button, host.firstChild);
  }

  function reveal(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    var part = target && target.closest("[data-section]");
    if (part) setFolded(part, false);
  }

  function build(toc) {
    var scope = document.querySelector(toc.dataset.toc || "main") || document;
    var parts = Array.prototype.filter.call(scope.querySelectorAll("[data-section]"), function (part) {
      return part.id;
    });
    var list = toc.querySelector(".toc-list");
    if (!parts.length || !list) return;
    var links = {};
    parts.forEach(function (part) {
      var name = label(part);
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + part.id;
      link.textContent = name;
      item.appendChild(link);
      list.appendChild(item);
      links[part.id] = link;
      addFoldButton(part, name);
      if (PHONE.matches && part.dataset.sectionPhone === "folded") setFolded(part, true);
    });
    toc.hidden = false;

    var details = toc.querySelector("details");
    // The page scrolls a part to just below the bar (scroll-padding-top in kehoach.css); an open
    // list on a phone is not counted, it closes as soon as a part is chosen.
    function measure() {
      if (!details || !details.open || !PHONE.matches) {
        document.documentElement.style.setProperty("--toc-height", toc.offsetHeight + "px");
      }
    }
    function fitScreen() {
      if (details) details.open = !PHONE.matches;
      measure();
    }
    fitScreen();
    PHONE.addEventListener("change", fitScreen);
    window.addEventListener("resize", measure);

    toc.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link) {
        reveal(link.getAttribute("href"));
        if (details && PHONE.matches) details.open = false;
        measure();
        return;
      }
      var all = event.target.closest("[data-fold-all]");
      if (all) {
        var fold = all.dataset.foldAll === "1";
        parts.forEach(function (part) { setFolded(part, fold); });
      }
    });

    if ("IntersectionObserver" in window) {
      var visible = {};
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
        var current = parts.find(function (part) { return visible[part.id]; });
        Object.keys(links).forEach(function (id) {
          if (current && id === current.id) links[id].setAttribute("aria-current", "location");
          else links[id].removeAttribute("aria-current");
        });
      }, { rootMargin: "-20% 0px -60% 0px" });
      parts.forEach(function (part) { observer.observe(part); });
    }
  }

  function start() {
    document.querySelectorAll("nav.toc[data-toc]").forEach(build);
    reveal(window.location.hash);
    window.addEventListener("hashchange", function () { reveal(window.location.hash); });
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(".section-folded").forEach(function (part) { setFolded(part, false); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
