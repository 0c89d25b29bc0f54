/*
 * Sorting and filtering for the "all projects" table.
 *
 * The page is complete without this script: the table shows every row and the filter form
 * stays hidden. Loaded on every page with `defer`, so it does nothing where the table or the
 * form is absent. ES2017 on purpose (no ?. or ??): no build step, older browsers still work.
 *
 * Markup contract (made by the templates):
 *   <table class="sortable" id="projects-table">, <th scope="col" data-sort="text|number">,
 *   <tr data-policy="…" data-division="…" data-year="…">, numeric cells with data-value=""
 *   (empty = missing, sorted last both ways); <form id="projects-filter" class="awaiting-script">
 *   (its room kept but unseen until this script runs: nothing moves when it appears) with selects
 *   named like the rows' data-* attributes and <input type="search" name="q">;
 *   <p id="projects-count" aria-live="polite" data-template="{shown} / {total}">.
 *   A year's table in several pages: data-pages="url url …" on the table names the others,
 *   whose rows are fetched (once) when the reader first filters or sorts, so both take in
 *   the whole year; the pager (#projects-pager) is hidden while they do.
 */
(() => {
  "use strict";

  /** The page's language if the browser accepts it, else undefined (the browser's default). */
  function pageLocale() {
    const lang = document.documentElement.lang;
    if (!lang) return undefined;
    try {
      Intl.getCanonicalLocales(lang);
      return lang;
    } catch (error) {
      return undefined;
    }
  }

  // ---- sorting ----------------------------------------------------------------------------

  /** The sort key of a cell: a number, a string, or null when missing. */
  function sortKey(cell, type) {
    if (!cell) return null;
    if (type === "number") {
      const raw = cell.getAttribute("data-value");
      if (raw === null || raw.trim() === "") return null;
      const value = Number(raw);
      return Number.isNaN(value) ? null : value;
    }
    const text = cell.textContent.trim();
    return text === "" ? null : text;
  }

  function makeComparer(type, descending, collator) {
    const sign = descending ? -1 : 1;
    return (a, b) => {
      // Missing values go last whichever way the column is sorted.
      if (a.key === null || b.key === null) {
        if (a.key === b.key) return a.index - b.index;
        return a.key === null ? 1 : -1;
      }
      const order = type === "number" ? a.key - b.key : collator.compare(a.key, b.key);
      // The current position breaks ties, so the sort is stable in every browser.
      return order !== 0 ? sign * order : a.index - b.index;
    };
  }

  function sortBody(body, column, type, descending, collator) {
    const entries = Array.from(body.rows, (row, index) => ({
      row,
      index,
      key: sortKey(row.cells[column], type),
    }));
    entries.sort(makeComparer(type, descending, collator));
    const fragment = document.createDocumentFragment();
    entries.forEach((entry) => fragment.appendChild(entry.row));
    body.appendChild(fragment);
  }

  function sortBy(table, th, collator) {
    const descending = th.getAttribute("aria-sort") === "ascending";
    const type = th.getAttribute("data-sort") === "number" ? "number" : "text";
    Array.from(table.tBodies).forEach((body) =>
      sortBody(body, th.cellIndex, type, descending, collator)
    );
    table.querySelectorAll("thead th[aria-sort]").forEach((other) => other.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  /** Moves the header's content into a button, so sorting works by keyboard and screen reader. */
  function makeSortable(table, collator) {
    table.querySelectorAll("thead th[data-sort]").forEach((th) => {
      if (th.querySelector("button")) return; // already enhanced
      const button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", async () => {
        // The filterable table gathers the year's other pages first (a no-op elsewhere).
        const start = new CustomEvent("sort-start", { detail: { waitFor: null } });
        table.dispatchEvent(start);
        if (start.detail.waitFor) await start.detail.waitFor;
        sortBy(table, th, collator);
        table.dispatchEvent(new CustomEvent("sorted"));
      });
    });
  }

  // ---- filtering --------------------------------------------------------------------------

  /** Text for matching: NFKC so full-width and half-width forms match, and case-folded. */
  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function currentFilters(form) {
    const selects = Array.from(form.querySelectorAll("select[name]")).filter(
      (select) => select.value !== ""
    );
    const search = form.elements.namedItem("q");
    const words = search && typeof search.value === "string" ? fold(search.value).split(/\s+/) : [];
    return {
      selects: selects.map((select) => ({ name: select.name, value: select.value })),
      words: words.filter((word) => word !== ""),
    };
  }

  /** Whether the row passes the filters; textOf(row) is asked for only when words are given
   * (folding every row's text is most of the work). */
  function rowMatches(row, textOf, filters) {
    if (!filters.selects.every((f) => row.getAttribute("data-" + f.name) === f.value)) return false;
    if (filters.words.length === 0) return true;
    const text = textOf(row);
    return filters.words.every((word) => text.indexOf(word) !== -1);
  }

  function showCount(shown, total, locale) {
    const output = document.getElementById("projects-count");
    if (!output) return;
    const template = output.getAttribute("data-template") || "{shown} / {total}";
    output.textContent = template
      .replace("{shown}", shown.toLocaleString(locale))
      .replace("{total}", total.toLocaleString(locale));
  }

  // ---- the other pages of the year --------------------------------------------------------

  /** The rows of another page of the table, their links made absolute (they were relative
   * to that page). */
  async function rowsOf(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const rows = Array.from(html.querySelectorAll("#projects-table tbody tr"));
    rows.forEach((row) =>
      row.querySelectorAll("a[href]").forEach((a) => {
        a.setAttribute("href", new URL(a.getAttribute("href"), url).href);
      })
    );
    return rows;
  }

  /** Every row of the year in this table, once: a promise, true when the other pages came. */
  function wholeYear(table) {
    if (!table.wholeYear) {
      const others = (table.getAttribute("data-pages") || "").split(" ").filter(Boolean);
      const urls = others.map((link) => new URL(link, document.baseURI).href);
      table.wholeYear = Promise.all(urls.map(rowsOf)).then(
        (pages) => {
          const body = table.tBodies[0];
          pages.forEach((rows) =>
            rows.forEach((row) => {
              row.hidden = true;
              body.appendChild(document.importNode(row, true));
            })
          );
          return true;
        },
        () => false // from disk, or offline: this page's rows only
      );
    }
    return table.wholeYear;
  }

  function makeFilterable(table, form, locale) {
    const own = new Set(Array.from(table.tBodies[0].rows));
    const pager = document.getElementById("projects-pager");
    const texts = new Map(); // rows keep their text while sorting moves them: folded once

    function textOf(row) {
      if (!texts.has(row)) texts.set(row, fold(row.textContent));
      return texts.get(row);
    }

    function apply() {
      const filters = currentFilters(form);
      const sorted = table.querySelector("thead th[aria-sort]") !== null;
      const everyPage = sorted || filters.selects.length > 0 || filters.words.length > 0;
      const rows = Array.from(table.tBodies[0].rows);
      let shown = 0;
      let total = 0;
      rows.forEach((row) => {
        const counted = everyPage || own.has(row);
        const visible = counted && rowMatches(row, textOf, filters);
        if (row.hidden === visible) row.hidden = !visible; // untouched rows cost no layout
        if (counted) total += 1;
        if (visible) shown += 1;
      });
      if (pager) pager.hidden = everyPage;
      showCount(shown, total, locale);
    }

    async function applyToYear() {
      await wholeYear(table);
      apply();
    }

    form.addEventListener("input", applyToYear);
    form.addEventListener("change", applyToYear);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      applyToYear();
    });
    // A reset event comes before the fields are cleared.
    form.addEventListener("reset", () => setTimeout(apply, 0));
    table.addEventListener("sort-start", (event) => {
      event.detail.waitFor = wholeYear(table);
    });
    table.addEventListener("sorted", apply);
    form.classList.remove("awaiting-script");
    apply(); // the browser may have restored field values (back button)
  }

  // ---- start ------------------------------------------------------------------------------

  function init() {
    const locale = pageLocale();
    const collator = new Intl.Collator(locale, { numeric: true });
    document.querySelectorAll("table.sortable").forEach((table) => makeSortable(table, collator));
    const table = document.getElementById("projects-table");
    const form = document.getElementById("projects-filter");
    if (table && form) makeFilterable(table, form, locale);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
