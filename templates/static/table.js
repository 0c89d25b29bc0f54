/*
 * Sorting and filtering for the "all projects" table.
 *
 * The page is complete without this script: the table shows its page of rows, with the pager
 * to the others, and the filter form stays unseen. Loaded on every page with `defer`, so it does nothing where the table or the
 * form is absent. ES2017 on purpose (no ?. or ??): no build step, older browsers still work.
 *
 * Markup contract (made by the templates):
 *   <table class="sortable" id="projects-table">, <th scope="col" data-sort="text|number">,
 *   <tr data-policy="…" data-division="…" data-year="…">, numeric cells with data-value=""
 *   (empty = missing, sorted last both ways); <form id="projects-filter" class="awaiting-script">
 *   (its room kept but unseen until this script runs: nothing moves when it appears) with selects
 *   named like the rows' data-* attributes and <input type="search" name="q">;
 *   <p id="projects-count" aria-live="polite" data-template="{shown} / {total}">.
 *   A year's table in several pages: data-pages="url url …" on the table names the others
 *   and data-page-number this one's place among them. Their rows are fetched (once) when the
 *   reader first filters or sorts, so both take in the whole year: kept in memory, filtered
 *   and sorted there, and drawn 100 at a time (laying out 3,000 rows would take seconds on a
 *   phone), with <button id="projects-more" data-template="…{count}…" hidden> for the next
 *   ones; the pager (#projects-pager) is hidden meanwhile.
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

  /** Moves the header's content into a button, so sorting works by keyboard and screen reader.
   * A table that keeps its rows in memory (the filterable one) sorts them itself: sortRows. */
  function makeSortable(table, collator) {
    table.querySelectorAll("thead th[data-sort]").forEach((th) => {
      if (th.querySelector("button")) return; // already enhanced
      const button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", async () => {
        const descending = th.getAttribute("aria-sort") === "ascending";
        const type = th.getAttribute("data-sort") === "number" ? "number" : "text";
        table.querySelectorAll("thead th[aria-sort]").forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        if (table.sortRows) {
          await table.sortRows(th.cellIndex, type, descending);
        } else {
          Array.from(table.tBodies).forEach((body) =>
            sortBody(body, th.cellIndex, type, descending, collator)
          );
        }
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
    return rows.map((row) => document.importNode(row, true));
  }

  /** Every row of the year, in the report's order, once: a promise of the list (this page's
   * rows only where the others cannot be fetched: from disk, or offline). */
  function wholeYear(table, own) {
    if (!table.wholeYear) {
      const others = (table.getAttribute("data-pages") || "").split(" ").filter(Boolean);
      const urls = others.map((link) => new URL(link, document.baseURI).href);
      const position = Number(table.getAttribute("data-page-number") || "1") - 1;
      table.wholeYear = Promise.all(urls.map(rowsOf)).then(
        (pages) => {
          pages.splice(position, 0, own);
          return [].concat.apply([], pages);
        },
        () => own
      );
    }
    return table.wholeYear;
  }

  // ---- the year in memory: filtered and sorted there, drawn a hundred rows at a time ------

  // Rows laid out at once after a filter or a sort: laying out new rows is most of an action's
  // time on a phone (each more row about 3 ms at a quarter of a laptop's speed); "more" adds
  // a hundred, at the reader's request.
  const FIRST_DRAWN = 25;
  const MORE_DRAWN = 100;

  /** A row with what filtering and sorting ask of it, each worked out once. */
  function entryOf(row, index) {
    return { row, index, text: null, keys: {} };
  }

  function textOf(entry) {
    if (entry.text === null) entry.text = fold(entry.row.textContent);
    return entry.text;
  }

  function keyOf(entry, column, type) {
    if (!(column in entry.keys)) entry.keys[column] = sortKey(entry.row.cells[column], type);
    return entry.keys[column];
  }

  /** Each text column's values replaced by their rank in the collator's order, once for the
   * whole year: later sorts compare numbers (comparing 3,000 Japanese names with the collator
   * took over 100 ms on a slow phone each time). */
  function rankTextColumns(table, entries, collator) {
    table.querySelectorAll('thead th[data-sort="text"]').forEach((th) => {
      const column = th.cellIndex;
      const keyed = entries.map((entry) => ({ entry, index: entry.index, key: keyOf(entry, column, "text") }));
      keyed.sort(makeComparer("text", false, collator));
      keyed.forEach((item, rank) => {
        if (item.key !== null) item.entry.keys[column] = rank;
      });
    });
  }

  function matches(entry, filters) {
    const row = entry.row;
    if (!filters.selects.every((f) => row.getAttribute("data-" + f.name) === f.value)) return false;
    if (filters.words.length === 0) return true;
    const text = textOf(entry);
    return filters.words.every((word) => text.indexOf(word) !== -1);
  }

  /** The entries in the reader's order; text columns are ranked already (rankTextColumns),
   * so every key compared is a number. */
  function sortedEntries(entries, order, collator) {
    const keyed = entries.map((entry) => ({
      entry,
      index: entry.index,
      key: keyOf(entry, order.column, order.type),
    }));
    keyed.sort(makeComparer("number", order.descending, collator));
    return keyed.map((item) => item.entry);
  }

  function makeFilterable(table, form, locale, collator) {
    const body = table.tBodies[0];
    const own = Array.from(body.rows);
    // The pager and its line ("rows 1-50 of 3,000") are for the pages as built; hidden while
    // the whole year is filtered or sorted.
    const paging = ["projects-pager", "projects-rows-shown"]
      .map((id) => document.getElementById(id))
      .filter(Boolean);
    const more = document.getElementById("projects-more");
    let entries = own.map(entryOf);
    let ranked = false; // the text columns, once the year's rows are in (not at page load)
    let order = null; // {column, type, descending} once the reader sorts
    let drawn = FIRST_DRAWN;

    function draw(rows) {
      const fragment = document.createDocumentFragment();
      rows.forEach((row) => fragment.appendChild(row));
      body.textContent = "";
      body.appendChild(fragment);
    }

    function apply(keepDrawn) {
      const filters = currentFilters(form);
      const everyPage = order !== null || filters.selects.length > 0 || filters.words.length > 0;
      if (!keepDrawn) drawn = FIRST_DRAWN;
      if (!everyPage) {
        draw(own);
        if (more) more.hidden = true;
        paging.forEach((element) => (element.hidden = false));
        showCount(own.length, own.length, locale);
        return;
      }
      let found = entries.filter((entry) => matches(entry, filters));
      if (order) found = sortedEntries(found, order, collator);
      draw(found.slice(0, drawn).map((entry) => entry.row));
      if (more) {
        const left = found.length - drawn;
        more.hidden = left <= 0;
        const template = more.getAttribute("data-template") || "{count}";
        more.textContent = template.replace("{count}", Math.min(left, MORE_DRAWN).toLocaleString(locale));
      }
      paging.forEach((element) => (element.hidden = true));
      showCount(found.length, entries.length, locale);
    }

    async function applyToYear() {
      const rows = await wholeYear(table, own);
      if (entries.length !== rows.length) entries = rows.map(entryOf);
      if (!ranked) {
        rankTextColumns(table, entries, collator);
        ranked = true;
      }
      apply(false);
    }

    form.addEventListener("input", applyToYear);
    form.addEventListener("change", applyToYear);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      applyToYear();
    });
    // A reset event comes before the fields are cleared.
    form.addEventListener("reset", () => setTimeout(() => apply(false), 0));
    table.sortRows = (column, type, descending) => {
      order = { column, type, descending };
      return applyToYear();
    };
    if (more) {
      more.addEventListener("click", () => {
        drawn += MORE_DRAWN;
        apply(true);
      });
    }
    form.classList.remove("awaiting-script");
    apply(false); // the browser may have restored field values (back button)
  }

  // ---- start ------------------------------------------------------------------------------

  function init() {
    const locale = pageLocale();
    const collator = new Intl.Collator(locale, { numeric: true });
    document.querySelectorAll("table.sortable").forEach((table) => makeSortable(table, collator));
    const table = document.getElementById("projects-table");
    const form = document.getElementById("projects-filter");
    if (table && form) makeFilterable(table, form, locale, collator);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
