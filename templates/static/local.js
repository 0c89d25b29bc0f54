/*
 * Opened from disk (file://), a link to a folder shows the folder's listing, not its page:
 * each link and form inside the site is pointed at the folder's index.html. Served over
 * HTTP (the published site, the preview server), nothing changes.
 */
(function () {
  "use strict";

  if (window.location.protocol !== "file:") return;

  // Another scheme (https:, mailto:), another host (//…) or a fragment of this page.
  var OUTSIDE = /^([a-z][a-z0-9+.-]*:|\/\/|#)/i;

  function toPage(link) {
    if (OUTSIDE.test(link)) return link;
    var cut = link.search(/[?#]/);
    var path = cut === -1 ? link : link.slice(0, cut);
    var rest = cut === -1 ? "" : link.slice(cut);
    if (path === "" && rest !== "") return link;
    if (path === "" || path === "." || path === "..") path += "/";
    return path.endsWith("/") ? path + "index.html" + rest : link;
  }

  function pointAtPages() {
    document.querySelectorAll("a[href]").forEach(function (a) {
      a.setAttribute("href", toPage(a.getAttribute("href")));
    });
    document.querySelectorAll("form[action]").forEach(function (form) {
      form.setAttribute("action", toPage(form.getAttribute("action")));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", pointAtPages);
  } else {
    pointAtPages();
  }
})();
