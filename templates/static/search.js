// The search page: runs the query from ?q= (the header's search box) against this language's
// index in site/search/ (written by shisaku/search.py), and lists the results. Built from DOM
// nodes, never from HTML strings, so no text from the index can become markup.
(function () {
  "use strict";

  var FORMAT = 2; // the index's format, search.py's FORMAT
  var MAX_RESULTS = 30;
  var EXCERPT = 160; // characters of a sentence at most, around its first match
  var BEFORE = 40; // of which before it
  var BLOCK = "\n"; // between the text of two blocks of a page (search.py's BLOCK)
  // A sentence ends at 。！？ (and the brackets that close it), or at . ! ? before a space and
  // a capital or at the end of its block ("No. 1" and "e.g. the" go on).
  var SENTENCE_END = /[。！？][」』）]*|[.!?]["”’)]*(?= [A-Z"“‘(]|$)/g;

  // Han (with 々 〆 〇 〻), Hiragana and Katakana (with ー): the same ranges as CJK in
  // shisaku/search.py. A run of these gives overlapping bigrams; other letters and digits
  // give words; everything else separates.
  var CJK =
    "\\u3005-\\u3007\\u303b\\u3041-\\u3096\\u309d-\\u309f\\u30a1-\\u30fa\\u30fc-\\u30ff\\u31f0-\\u31ff" +
    "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{1b000}-\\u{1b16f}\\u{20000}-\\u{323af}";
  var CJK_CHAR = new RegExp("^[" + CJK + "]", "u");
  var WORD_CHAR = new RegExp("^(?![" + CJK + "])[\\p{L}\\p{N}]", "u");
  var RUNS = new RegExp("([" + CJK + "]+)|((?:(?![" + CJK + "])[\\p{L}\\p{N}])+)", "gu");
  // Marks that NFKC composes with the character before them: combining ones, and the
  // half-width voiced sound marks ﾞﾟ.
  var COMBINING = /^[\p{M}\uff9e\uff9f]/u;
  // Katakana with a hiragana twin, as search.py's KATAKANA.
  var KATAKANA = /[\u30a1-\u30f6\u30fd\u30fe]/g;

  // ---- text -> terms (search.py's terms(): the two must agree) --------------------------------

  // NFKC, lower case, katakana as hiragana: String.prototype.toLowerCase and Python's
  // str.lower both apply Unicode's default full mapping, not a locale's.
  function normalize(text) {
    return text.normalize("NFKC").toLowerCase().replace(KATAKANA, hiragana);
  }

  function hiragana(katakana) {
    return String.fromCharCode(katakana.charCodeAt(0) - 0x60);
  }

  function runs(text) {
    var found = [];
    var normal = normalize(text);
    var match;
    RUNS.lastIndex = 0;
    while ((match = RUNS.exec(normal)) !== null) {
      found.push(match[1] ? { cjk: true, text: match[1] } : { cjk: false, text: match[2] });
    }
    return found;
  }

  function terms(text) {
    var found = [];
    runs(text).forEach(function (run) {
      if (!run.cjk) {
        found.push(run.text);
        return;
      }
      var chars = Array.from(run.text); // code points, as Python's str
      for (var i = 0; i + 1 < chars.length; i++) {
        found.push(chars[i] + chars[i + 1]);
      }
      found.push(chars[chars.length - 1]); // the run's last character, as search.py does
    });
    return found;
  }

  // FNV-1a over the UTF-16 code units of a key, as search.py's fnv1a.
  function fnv1a(key) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
    }
    return hash;
  }

  // The term shards that hold every term the query term matches (search.py's Layout): the
  // shard of its first key (a CJK term's first character, another's first two), or, when that
  // key is split, the one of its second key (first two, or three), or all of the key's when
  // the query term is a prefix shorter than that.
  function shardsOf(wanted, meta) {
    var chars = Array.from(wanted.term);
    var cjk = CJK_CHAR.test(chars[0]);
    var first = chars.slice(0, cjk ? 1 : 2).join("");
    var spread = Object.prototype.hasOwnProperty.call(meta.split, first) ? meta.split[first] : 0;
    if (!spread) {
      return [fnv1a(first) % meta.shards];
    }
    var secondLength = cjk ? 2 : 3;
    if (!wanted.prefix || chars.length >= secondLength) {
      var second = chars.slice(0, secondLength).join("");
      return [(fnv1a(first) + (fnv1a(second) % spread)) % meta.shards];
    }
    var all = [];
    for (var i = 0; i < spread; i++) {
      all.push((fnv1a(first) + i) % meta.shards);
    }
    return all;
  }

  // The query's terms, each once, and whether it matches as a prefix: a single CJK character
  // and Latin words of two or more characters do (融 finds 融資, loan finds loans).
  function queryTerms(query) {
    var all = terms(query);
    // A bigram's second character is always matched when the bigram is: leave it out.
    var implied = Object.create(null);
    all.forEach(function (term) {
      var chars = Array.from(term);
      if (chars.length === 2 && CJK_CHAR.test(term)) {
        implied[chars[1]] = true;
      }
    });
    var seen = Object.create(null);
    var wanted = [];
    all.forEach(function (term) {
      var length = Array.from(term).length;
      var cjk = CJK_CHAR.test(term);
      if (seen[term] || (cjk && length === 1 && implied[term])) {
        return;
      }
      seen[term] = true;
      wanted.push({ term: term, prefix: cjk ? length === 1 : length >= 2 });
    });
    return wanted;
  }

  // ---- the index -> the documents that match, best first ------------------------------------

  async function fetchJSON(url, options) {
    var response = await fetch(url, options);
    if (!response.ok) {
      throw new Error(url + ": HTTP " + response.status);
    }
    return response.json();
  }

  // Each document that has the term (or, for a prefix, any term it begins) and its BM25 score.
  function scores(shards, wanted, documents) {
    var found = new Map();
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (key) {
        if (key !== wanted.term && !(wanted.prefix && key.startsWith(wanted.term))) {
          return;
        }
        var gaps = shard[key][0];
        var weights = shard[key][1]; // one character a document: "A" is 1
        var idf = Math.log(1 + (documents - gaps.length + 0.5) / (gaps.length + 0.5));
        var number = 0;
        for (var i = 0; i < gaps.length; i++) {
          number += gaps[i];
          var score = idf * (weights.charCodeAt(i) - 64);
          found.set(number, Math.max(found.get(number) || 0, score));
        }
      });
    });
    return found;
  }

  // Documents in both, their scores added up.
  function intersect(first, second) {
    var both = new Map();
    first.forEach(function (score, number) {
      if (second.has(number)) {
        both.set(number, score + second.get(number));
      }
    });
    return both;
  }

  function unique(values) {
    return values.filter(function (value, i) {
      return values.indexOf(value) === i;
    });
  }

  async function matching(bundle, meta, wanted) {
    var shardsWanted = wanted.map(function (w) {
      return shardsOf(w, meta);
    });
    var shards = {};
    await Promise.all(
      unique([].concat.apply([], shardsWanted)).map(async function (n) {
        shards[n] = await fetchJSON(bundle + "terms/" + n + ".json?v=" + meta.id);
      })
    );
    var found = null;
    wanted.forEach(function (w, i) {
      var these = scores(
        shardsWanted[i].map(function (n) {
          return shards[n];
        }),
        w,
        meta.docs
      );
      found = found === null ? these : intersect(found, these);
    });
    return Array.from(found || [], function (entry) {
      return { number: entry[0], score: entry[1] };
    }).sort(function (a, b) {
      return b.score - a.score || a.number - b.number; // ties in URL order
    });
  }

  // The first document of the text chunk that holds document n: meta.chunks lists each
  // section's first document and its documents per chunk (search.py's chunk_layout).
  function chunkOf(n, meta) {
    var start = 0;
    var size = 1;
    meta.chunks.forEach(function (section) {
      if (section[0] <= n) {
        start = section[0];
        size = section[1];
      }
    });
    return start + Math.floor((n - start) / size) * size;
  }

  // [url, title, text] of each document numbered, from the text chunks that hold them.
  async function documents(bundle, meta, numbers) {
    var chunks = {};
    await Promise.all(
      unique(
        numbers.map(function (n) {
          return chunkOf(n, meta);
        })
      ).map(async function (c) {
        chunks[c] = await fetchJSON(bundle + "docs/" + c + ".json?v=" + meta.id);
      })
    );
    return numbers.map(function (n) {
      var first = chunkOf(n, meta);
      return chunks[first][n - first];
    });
  }

  // ---- excerpts -----------------------------------------------------------------------------

  // The text normalized as the index's was, with the place in the text each code unit came from.
  function normalizedWithPlaces(text) {
    var normal = "";
    var from = [];
    var to = [];
    for (var i = 0; i < text.length; ) {
      var end = clusterEnd(text, i);
      var normalChars = normalize(text.slice(i, end));
      for (var j = 0; j < normalChars.length; j++) {
        from.push(i);
        to.push(end);
      }
      normal += normalChars;
      i = end;
    }
    return { text: normal, from: from, to: to };
  }

  // Where the character at i ends with the marks that NFKC composes with it (ﾃﾞ is デ).
  function clusterEnd(text, i) {
    return runEnd(text, i + String.fromCodePoint(text.codePointAt(i)).length, COMBINING);
  }

  // Where the characters from end on that the pattern matches end.
  function runEnd(text, end, pattern) {
    while (end < text.length) {
      var next = String.fromCodePoint(text.codePointAt(end));
      if (!pattern.test(next)) {
        break;
      }
      end += next.length;
    }
    return end;
  }

  // What to mark: each CJK run of the query (or its bigrams, when the text lacks the whole
  // run), and each word where a word starts.
  function pieces(query, normal) {
    var found = [];
    runs(query).forEach(function (run) {
      if (!run.cjk || normal.indexOf(run.text) >= 0) {
        found.push(run);
        return;
      }
      var chars = Array.from(run.text);
      for (var i = 0; i + 1 < chars.length; i++) {
        found.push({ cjk: true, text: chars[i] + chars[i + 1] });
      }
    });
    return found;
  }

  // [start, end, piece] of every match of the query in the text, in order (piece: which of
  // the query's pieces matched); a word's match goes on to the end of the word it begins
  // ("loan" marks "loans").
  function matchesIn(text, query) {
    var normal = normalizedWithPlaces(text);
    var found = [];
    pieces(query, normal.text).forEach(function (piece, index) {
      for (var at = normal.text.indexOf(piece.text); at >= 0; at = normal.text.indexOf(piece.text, at + 1)) {
        var before = Array.from(normal.text.slice(Math.max(0, at - 2), at)).pop();
        if (!piece.cjk && before && WORD_CHAR.test(before)) {
          continue;
        }
        var end = at + piece.text.length;
        end = piece.cjk ? end : runEnd(normal.text, end, WORD_CHAR);
        found.push([normal.from[at], normal.to[end - 1], index]);
      }
    });
    return found.sort(function (a, b) {
      return a[0] - b[0] || a[1] - b[1];
    });
  }

  // The excerpt of a result, as [{text, mark}] segments: the sentence that matches the query
  // best, from one block of the text (a heading, a paragraph, a cell: never a label run into
  // the value beside it), and from the title's block, which the result shows already, only
  // when no other block matches.
  function excerpt(text, title, query) {
    var matches = matchesIn(text, query);
    var block = best(blocksOf(text, title), matches);
    var sentence = best(sentencesOf(text, block), matches);
    return segments(text, cut(text, sentence, matches), matches);
  }

  // [{start, end, title}] of each block of the text; title marks the first block that is the
  // page's title, or begins with it (an English name with the Japanese one after it).
  function blocksOf(text, title) {
    var found = [];
    var titled = false;
    for (var start = 0; start <= text.length; ) {
      var end = text.indexOf(BLOCK, start);
      end = end < 0 ? text.length : end;
      var block = text.slice(start, end);
      var isTitle = !titled && title !== "" && (block.startsWith(title) || title.startsWith(block));
      titled = titled || isTitle;
      found.push({ start: start, end: end, title: isTitle });
      start = end + BLOCK.length;
    }
    return found;
  }

  // [{start, end}] of each sentence of a block.
  function sentencesOf(text, block) {
    var inside = text.slice(block.start, block.end);
    var found = [];
    var start = 0;
    var match;
    SENTENCE_END.lastIndex = 0;
    while ((match = SENTENCE_END.exec(inside)) !== null) {
      var end = match.index + match[0].length;
      found.push({ start: block.start + start, end: block.start + end });
      start = inside.charAt(end) === " " ? end + 1 : end;
    }
    if (start < inside.length || !found.length) {
      found.push({ start: block.start + start, end: block.end });
    }
    return found;
  }

  // The span with the most of the query's pieces matched in it, the first of those; a title's
  // span only when no other has any; the first span that is not a title when none has any.
  function best(spans, matches) {
    var others = spans.filter(function (span) {
      return !span.title;
    });
    return mostMatched(others, matches) || mostMatched(spans, matches) || others[0] || spans[0];
  }

  function mostMatched(spans, matches) {
    var chosen = null;
    var most = 0;
    spans.forEach(function (span) {
      var pieces = {};
      matches.forEach(function (m) {
        if (m[0] >= span.start && m[1] <= span.end) {
          pieces[m[2]] = true;
        }
      });
      var count = Object.keys(pieces).length;
      if (count > most) {
        chosen = span;
        most = count;
      }
    });
    return chosen;
  }

  // The span, or about EXCERPT characters of it around its first match when it is longer.
  function cut(text, span, matches) {
    if (span.end - span.start <= EXCERPT) {
      return { start: span.start, end: span.end, before: false, after: false };
    }
    var anchor = matches.find(function (m) {
      return m[0] >= span.start && m[1] <= span.end;
    });
    var start = anchor ? Math.max(span.start, anchor[0] - BEFORE) : span.start;
    var end = Math.min(span.end, start + EXCERPT);
    start = Math.max(span.start, end - EXCERPT);
    start = wordStart(text, start, anchor ? anchor[0] : start, span.start);
    end = wordEnd(text, end, span.end);
    return { start: start, end: end, before: start > span.start, after: end < span.end };
  }

  // The text from start to end as [{text, mark}], the matches marked, "…" where it was cut.
  function segments(text, part, matches) {
    var found = [];
    var at = part.start;
    matches.forEach(function (m) {
      var from = Math.max(m[0], at);
      var to = Math.min(m[1], part.end);
      if (from >= to) {
        return;
      }
      if (from > at) {
        found.push({ text: text.slice(at, from), mark: false });
      }
      found.push({ text: text.slice(from, to), mark: true });
      at = to;
    });
    if (at < part.end) {
      found.push({ text: text.slice(at, part.end), mark: false });
    }
    if (part.before) {
      found.unshift({ text: "…", mark: false });
    }
    if (part.after) {
      found.push({ text: "…", mark: false });
    }
    return found;
  }

  // Cut where a word starts when there are spaces nearby (English), never inside a character.
  function wordStart(text, start, limit, first) {
    if (start <= first) {
      return first;
    }
    var space = text.indexOf(" ", start);
    if (space >= 0 && space < limit && space - start < 20) {
      return space + 1;
    }
    return isLowSurrogate(text, start) ? start - 1 : start;
  }

  function wordEnd(text, end, last) {
    if (end >= last) {
      return last;
    }
    var space = text.lastIndexOf(" ", end);
    if (space >= 0 && end - space < 20) {
      return space;
    }
    return isLowSurrogate(text, end) ? end - 1 : end;
  }

  function isLowSurrogate(text, at) {
    var unit = text.charCodeAt(at);
    return unit >= 0xdc00 && unit <= 0xdfff;
  }

  // ---- the query -> results ------------------------------------------------------------------

  // {total, results: [{url, title, excerpt}]} for a query, from the index at bundle (a URL
  // ending in "/"): the MAX_RESULTS results from the start-th on (0 when not given); url is
  // inside the site, excerpt is [{text, mark}].
  async function search(bundle, query, start) {
    // A new build may be published between reading meta.json and the files it names: then
    // meta.json has changed by the end, and the search is made again on the new index.
    var meta = await fetchMeta(bundle);
    var found;
    var failure = null;
    try {
      found = await searchWith(bundle, meta, query, start);
    } catch (error) {
      failure = error; // perhaps files of two builds: decided by meta.json below
    }
    var after = await fetchMeta(bundle);
    if (after.id !== meta.id) {
      return searchWith(bundle, after, query, start);
    }
    if (failure !== null) {
      throw failure;
    }
    return found;
  }

  async function fetchMeta(bundle) {
    var meta = await fetchJSON(bundle + "meta.json", { cache: "no-cache" });
    if (meta.format !== FORMAT) {
      throw new Error("search index format " + meta.format + ", not " + FORMAT);
    }
    return meta;
  }

  async function searchWith(bundle, meta, query, start) {
    var wanted = queryTerms(query);
    var found = wanted.length ? await matching(bundle, meta, wanted) : [];
    var shown = found.slice(start || 0, (start || 0) + MAX_RESULTS);
    var docs = await documents(
      bundle,
      meta,
      shown.map(function (r) {
        return r.number;
      })
    );
    return {
      total: found.length,
      results: docs.map(function (doc) {
        return { url: doc[0], title: doc[1], excerpt: excerpt(doc[2], doc[1], query) };
      }),
    };
  }

  // The form of a count's string for the count, from data-NAME-one and data-NAME-other (the
  // strings file's NAME_one, NAME_other): _one for exactly one where the language has it, as
  // shisaku/render.py chooses.
  function counted(data, name, count) {
    var one = data[name + "One"];
    return count === 1 && one !== undefined ? one : data[name + "Other"];
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return String(values[key]);
    });
  }

  function resultItem(result, baseUrl) {
    var item = document.createElement("li");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = baseUrl + result.url;
    link.textContent = result.title || result.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var excerptText = document.createElement("p");
    result.excerpt.forEach(function (segment) {
      var node = segment.mark ? document.createElement("mark") : document.createTextNode(segment.text);
      node.textContent = segment.text;
      excerptText.appendChild(node);
    });
    item.appendChild(excerptText);
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
      var found = await search(list.dataset.bundlePath, query, 0);
      showResults(list, found.results);
      status.textContent = found.total
        ? fill(counted(status.dataset, "found", found.total), {
            count: found.total.toLocaleString(document.documentElement.lang),
            query: query,
          })
        : fill(status.dataset.none, { query: query });
      offerMore(list, query, found.total);
    } catch (error) {
      status.textContent = status.dataset.failed;
      throw error;
    }
  }

  function showResults(list, results) {
    results.forEach(function (result) {
      list.appendChild(resultItem(result, list.dataset.baseUrl));
    });
  }

  // Every result is reachable: a button below the list shows the next MAX_RESULTS, and moves
  // the focus to the first of them, so a keyboard or screen reader user reads on from there.
  function offerMore(list, query, total) {
    var button = document.getElementById("search-more");
    if (!button) {
      return;
    }
    function update() {
      var left = total - list.children.length;
      button.hidden = left <= 0;
      button.textContent = fill(button.dataset.template, {
        count: Math.min(left, MAX_RESULTS).toLocaleString(document.documentElement.lang),
      });
    }
    button.addEventListener("click", async function () {
      var before = list.children.length;
      var found = await search(list.dataset.bundlePath, query, before);
      showResults(list, found.results);
      update();
      var first = list.children[before];
      if (first) {
        first.querySelector("a").focus();
      }
    });
    update();
  }

  // For the tests: the tokenizer, to compare with search.py's, and the search without the page.
  window.shisakuSearch = { terms: terms, search: search };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
