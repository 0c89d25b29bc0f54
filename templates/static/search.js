// The search page: runs the query from ?q= (the header's search box) against Pagefind's index
// of this page's language, and lists the results. Built from DOM nodes, never from HTML strings,
// so no text from the index can become markup.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(values[key]);
    });
  }

  // Pagefind's excerpt is HTML with <mark> around the matches: keep the text and the marks only.
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    return Array.prototype.map.call(parsed.body.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        return mark;
      }
      return document.createTextNode(node.textContent);
    });
  }

  function resultItem(data) {
    var item = document.createElement("li");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var excerpt = document.createElement("p");
    excerptNodes(data.excerpt || "").forEach(function (node) {
      excerpt.appendChild(node);
    });
    item.appendChild(excerpt);
    return item;
  }

  async function run() {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!list || !status) {
      return;
    }
    var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    var box = document.getElementById("site-search");
    if (box) {
      box.value = query;
    }
    if (!query) {
      status.textContent = status.dataset.empty;
      return;
    }
    status.textContent = status.dataset.searching;
    try {
      var pagefind = await import(list.dataset.bundlePath + "pagefind.js");
      await pagefind.options({ baseUrl: list.dataset.baseUrl });
      var search = await pagefind.search(query);
      var results = await Promise.all(
        search.results.slice(0, 30).map(function (result) {
          return result.data();
        })
      );
      results.forEach(function (data) {
        list.appendChild(resultItem(data));
      });
      status.textContent = results.length
        ? fill(status.dataset.found, { count: search.results.length, query: query })
        : fill(status.dataset.none, { query: query });
    } catch (error) {
      status.textContent = status.dataset.failed;
      throw error;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
