// Runs Pagefind's search UI on the search page, with the query from ?q= (the header's search box).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("search");
    if (!box || typeof PagefindUI === "undefined") {
      return;
    }
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: box.getAttribute("data-bundle-path"),
      showImages: false,
      showSubResults: true,
      resetStyles: false,
      translations: { placeholder: box.getAttribute("data-placeholder") }
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
