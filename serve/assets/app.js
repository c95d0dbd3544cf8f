// imr-serve's search page: keeps its state in the URL, asks the JSON API and draws the answer.
//
// Letters are untrusted input: every piece of their text reaches the DOM through text nodes
// (el() and textContent), never through HTML parsing, and the page runs under a
// Content-Security-Policy without inline script or style, so nothing here builds HTML strings.
"use strict";

(function () {
  // Facets shown in the sidebar, in this order; the server counts them exactly.
  const FACETS = ["decision", "category", "class", "drug", "specialty", "decided:year",
                  "age:10", "sex", "state", "priority", "guideline"];
  const FACET_TITLES = {"decided:year": "decision year", "age:10": "age", "guideline": "guideline cited"};
  const FACET_SHOWN = 8;     // values of a facet shown before "more"
  const BUCKETS_SHOWN = 30;  // a bucket (years, age bands) is short and read in order: all of it
  const PAGE = 20;        // hits per page
  const SVG_NS = "http://www.w3.org/2000/svg";

  // ---- DOM helpers: the only way this page creates elements ----

  // el("a", {href: u, class: "x"}, "text", child...): strings become text nodes, never markup.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) throw new Error("el(): event handlers go through addEventListener");
      node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  function append(node, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" || typeof c === "number"
                           ? document.createTextNode(String(c)) : c);
    }
  }
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString("en-US");
  const pct = (r) => (r * 100).toFixed(1) + "%";

  // ---- state <-> URL ----

  // The page's whole state lives in the query string, so a URL can be bookmarked and shared.
  function readState() {
    const p = new URLSearchParams(location.search);
    const offset = parseInt(p.get("offset") || "0", 10);
    return {
      q: p.get("q") || "",
      filters: p.getAll("filter").filter((f) => f.includes(":")),
      byLetter: p.get("by_letter") === "1",
      sort: p.get("sort") || "relevance",
      offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
      letter: p.get("letter") || "",
    };
  }
  function stateUrl(s) {
    const p = new URLSearchParams();
    if (s.q) p.set("q", s.q);
    for (const f of s.filters) p.append("filter", f);
    if (s.byLetter) p.set("by_letter", "1");
    if (s.sort && s.sort !== "relevance") p.set("sort", s.sort);
    if (s.offset) p.set("offset", String(s.offset));
    if (s.letter) p.set("letter", s.letter);
    const qs = p.toString();
    return qs ? "/?" + qs : "/";
  }
  // `hash` (#item-N) points the letter view at the item a hit was about.
  function go(s, hash) {
    const url = stateUrl(s) + (hash || "");
    if (url !== location.pathname + location.search + location.hash) {
      history.pushState(null, "", url);
    }
    render();
  }

  // The parameters every API call shares: the query as typed and the filters.
  function apiParams(s) {
    const p = new URLSearchParams();
    p.set("q", s.q);
    for (const f of s.filters) p.append("filter", f);
    return p;
  }

  // ---- fetching ----

  let generation = 0;  // answers of an older render are dropped
  let controller = null;
  let renders = 0;
  let significantAvailable = true;  // until the server answers /api/significant with 404

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function getJson(path, params, signal) {
    const url = params ? path + "?" + params.toString() : path;
    const response = await fetch(url, {signal, headers: {Accept: "application/json"}});
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && typeof body.error === "string" ? body.error
                                                             : "HTTP " + response.status;
      throw new ApiError(response.status, message);
    }
    return body;
  }

  // ---- rendering ----

  async function render() {
    const s = readState();
    const mine = ++generation;
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    document.body.dataset.loading = "1";
    syncForm(s);
    showError(null);
    try {
      if (s.letter) {
        $("results-view").hidden = true;
        $("letter-view").hidden = false;
        const back = Object.assign({}, s, {letter: ""});
        $("letter-back").setAttribute("href", stateUrl(back));
        $("letter").replaceChildren();
        const letter = await getJson("/api/letter/" + encodeURIComponent(s.letter), null, signal);
        if (mine !== generation) return;
        drawLetter(letter);
        document.title = "imrdex: letter " + letter.id;
      } else {
        $("letter-view").hidden = true;
        $("results-view").hidden = false;
        $("csv-link").setAttribute("href", "/api/export.csv?" + apiParams(s).toString());
        // An empty query with no filter is every item (the server's rule): the landing page is
        // an overview of the whole index.
        await drawSearch(s, mine, signal);
        document.title = s.q ? "imrdex: " + s.q : "imrdex: IMR determinations search";
      }
    } catch (e) {
      if (e.name === "AbortError" || mine !== generation) return;
      showError(e.message || String(e));
      if (!s.letter) clearResults();
    } finally {
      if (mine === generation) {
        document.body.dataset.loading = "0";
        // A count of finished renders: what a test waits on after an action.
        document.body.dataset.rendered = String(++renders);
      }
    }
  }

  function syncForm(s) {
    if (document.activeElement !== $("q") || $("q").value !== s.q) $("q").value = s.q;
    $("by-letter").checked = s.byLetter;
    $("sort").value = s.sort;
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message ? message : "";
    box.hidden = !message;
  }

  function clearResults() {
    $("total").textContent = "";
    $("total").dataset.total = "";
    $("hits").replaceChildren();
    $("pager").replaceChildren();
    $("chart").replaceChildren();
    $("chart").hidden = true;
    $("csv-link").hidden = true;
    $("facets").replaceChildren();
    $("active-filters").replaceChildren();
    $("significant").hidden = true;
  }

  async function drawSearch(s, mine, signal) {
    const params = apiParams(s);
    params.set("facets", FACETS.join(","));
    params.set("limit", String(PAGE));
    params.set("offset", String(s.offset));
    if (s.byLetter) params.set("by_letter", "1");
    if (s.sort !== "relevance") params.set("sort", s.sort);
    const pivotParams = apiParams(s);
    pivotParams.set("rows", "decided:year");
    pivotParams.set("cols", "decision");
    const sigParams = apiParams(s);
    sigParams.set("limit", "15");

    // The chart and the significant words are extras: their failure leaves the results shown.
    const searchP = getJson("/api/search", params, signal);
    const pivotP = getJson("/api/pivot", pivotParams, signal).catch((e) => e);
    // /api/significant may not exist on this server: one 404 and the page stops asking.
    const sigP = significantAvailable ? getJson("/api/significant", sigParams, signal).catch((e) => e)
                                      : Promise.resolve(null);
    const result = await searchP;
    if (mine !== generation) return;
    drawTotal(result, s);
    drawFacets(result, s);
    drawActiveFilters(s);
    drawHits(result, s);
    drawPager(result, s);
    $("csv-link").hidden = false;
    const pivot = await pivotP;
    if (mine !== generation) return;
    if (pivot instanceof Error) {
      if (pivot.name === "AbortError") return;
      $("chart").replaceChildren(el("figcaption", {class: "chart-error"},
                                    "No chart: " + pivot.message));
      $("chart").hidden = false;
    } else {
      drawChart(pivot);
    }
    const sig = await sigP;
    if (mine !== generation) return;
    drawSignificant(sig);
  }

  function drawTotal(result, s) {
    const unit = result.unit === "letter" ? "letter" : "item";
    const total = $("total");
    total.dataset.total = String(result.total);
    total.replaceChildren(el("b", null, fmt(result.total)),
                          " matching " + unit + (result.total === 1 ? "" : "s"));
    if (s.offset >= result.total && result.total > 0) {
      total.appendChild(document.createTextNode(" (this page is past the last one)"));
    }
  }

  // ---- facets ----

  const expanded = new Set();  // facets whose every value is shown
  let facetIds = 0;

  function facetOf(filter) {
    const i = filter.lastIndexOf(":");
    return [filter.slice(0, i), filter.slice(i + 1)];
  }

  function toggleFilter(facet, value, on) {
    const s = readState();
    const f = facet + ":" + value;
    s.filters = s.filters.filter((x) => x !== f);
    if (on) s.filters.push(f);
    s.offset = 0;
    go(s);
  }

  function drawFacets(result, s) {
    const box = $("facets");
    box.replaceChildren();
    const counts = result.facets || {};
    const selected = new Map();
    for (const f of s.filters) {
      const [facet, value] = facetOf(f);
      if (!selected.has(facet)) selected.set(facet, new Set());
      selected.get(facet).add(value);
    }
    const names = FACETS.filter((n) => n in counts);
    const helpFacets = $("help-facets");
    helpFacets.replaceChildren("Facets: ", names.map((n, i) => [i ? ", " : "", el("code", null, n)]), ".");
    for (const name of names) {
      const chosen = selected.get(name) || new Set();
      let values = Object.entries(counts[name]);
      const bucket = name.includes(":");
      // Buckets keep their natural order (years); a facet shows its most frequent values first.
      // (none) is not a value one can filter on; it is shown last, as a count only.
      const none = values.filter(([v]) => v === "(none)");
      values = values.filter(([v]) => v !== "(none)");
      if (!bucket) values.sort((a, b) => b[1] - a[1]);
      for (const v of chosen) {
        if (!values.some(([x]) => x === v)) values.unshift([v, 0]);
      }
      // A facet no matching item has a value of (class when nothing is a drug) says nothing.
      if (!values.length && !chosen.size) continue;
      const all = expanded.has(name);
      const limit = bucket ? BUCKETS_SHOWN : FACET_SHOWN;
      const shown = all ? values : values.filter(([v], i) => i < limit || chosen.has(v));
      const list = el("ul", {class: "facet-values"});
      for (const [value, count] of shown) {
        const id = "facet-value-" + (++facetIds);  // values hold spaces and colons: no ids
        const input = el("input", {type: "checkbox", id, "data-facet": name, "data-value": value});
        input.checked = chosen.has(value);
        input.addEventListener("change", () => toggleFilter(name, value, input.checked));
        list.appendChild(el("li", {class: chosen.has(value) ? "chosen" : null},
                            el("label", {for: id}, input, el("span", {class: "facet-value"}, value)),
                            el("span", {class: "count", "data-count": count}, fmt(count))));
      }
      for (const [value, count] of none) {
        list.appendChild(el("li", {class: "none", title: "matching items without a value"},
                            el("span", {class: "facet-value"}, value),
                            el("span", {class: "count", "data-count": count}, fmt(count))));
      }
      const section = el("section", {class: "facet", "data-facet": name},
                         el("h3", null, FACET_TITLES[name] || name,
                            chosen.size ? el("span", {class: "facet-hint"}, " (any of)") : null),
                         list);
      if (values.length > limit) {
        const more = el("button", {type: "button", class: "more"},
                        all ? "fewer" : "all " + fmt(values.length) + " values");
        more.addEventListener("click", () => {
          if (all) expanded.delete(name); else expanded.add(name);
          drawFacets(result, readState());
        });
        section.appendChild(more);
      }
      box.appendChild(section);
    }
  }

  function drawActiveFilters(s) {
    const box = $("active-filters");
    box.replaceChildren();
    for (const f of s.filters) {
      const [facet, value] = facetOf(f);
      const chip = el("button", {type: "button", class: "chip", title: "remove this filter"},
                      facet + ": " + value + " \u00d7");
      chip.addEventListener("click", () => toggleFilter(facet, value, false));
      box.appendChild(chip);
    }
  }

  // ---- hits ----

  // The snippet's highlights are [start, length] in bytes of its UTF-8; a JS string counts UTF-16
  // code units. Walk the code points once, noting the string index at each byte offset.
  function byteToIndex(text) {
    const map = new Map();
    let bytes = 0;
    let i = 0;
    for (const ch of text) {
      map.set(bytes, i);
      const cp = ch.codePointAt(0);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += ch.length;
    }
    map.set(bytes, i);
    // An offset inside a character (a server bug) moves to the next character's start.
    return (b) => {
      if (b >= bytes) return text.length;
      while (!map.has(b)) b++;
      return map.get(b);
    };
  }

  function snippetNode(snippet) {
    const p = el("p", {class: "snippet", "data-field": snippet.field});
    p.appendChild(el("span", {class: "snippet-field"}, snippet.field.replace("_", " ") + ": "));
    const text = snippet.text || "";
    const index = byteToIndex(text);
    const marks = (snippet.highlights || [])
                      .map(([start, length]) => [index(start), index(start + length)])
                      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [from, to] of marks) {
      if (from < at || to <= from) continue;  // overlapping or empty: keep the first
      p.appendChild(document.createTextNode(text.slice(at, from)));
      p.appendChild(el("mark", null, text.slice(from, to)));
      at = to;
    }
    p.appendChild(document.createTextNode(text.slice(at)));
    return p;
  }

  function letterLink(id, label, item) {
    const s = readState();
    s.letter = id;
    const hash = item ? "#item-" + item : "";
    const a = el("a", {href: stateUrl(s) + hash, class: "letter-link", "data-letter": id}, label);
    a.addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      go(s, hash);
      window.scrollTo(0, 0);
    });
    return a;
  }

  function list(v) { return Array.isArray(v) ? v.join(", ") : v || ""; }

  function drawHits(result, s) {
    const box = $("hits");
    box.replaceChildren();
    box.setAttribute("start", String(s.offset + 1));
    for (const h of result.hits || []) {
      const meta = [];
      const add = (label, v) => { if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && !v.length)) meta.push(el("span", {class: "meta-" + label}, label + " ", el("b", null, list(v)))); };
      add("category", h.category);
      add("drug", h.drug);
      add("class", h.drug_class);
      add("decided", h.decision_date);
      add("injured", h.injury_date);
      add("age", h.age);
      add("sex", h.sex);
      add("specialty", h.specialties);
      const li = el("li", {class: "hit", "data-id": h.id, "data-item": h.item},
                    el("div", {class: "hit-head"},
                       letterLink(h.id, h.id, h.item),
                       el("span", {class: "item-no"}, " item " + h.item),
                       el("span", {class: "decision decision-" + h.decision}, h.decision),
                       el("span", {class: "request"}, h.request)),
                    el("div", {class: "hit-meta"}, meta));
      if (h.snippet) li.appendChild(snippetNode(h.snippet));
      if (s.byLetter && h.more_items) {
        li.appendChild(el("div", {class: "more-items"},
                          letterLink(h.id, "+ " + fmt(h.more_items) + " more matching item" +
                                               (h.more_items === 1 ? "" : "s") + " in this letter")));
      }
      box.appendChild(li);
    }
    if (!(result.hits || []).length && result.total === 0) {
      box.appendChild(el("li", {class: "no-hits"}, "Nothing matches."));
    }
  }

  function drawPager(result, s) {
    const box = $("pager");
    box.replaceChildren();
    const total = result.total;
    if (total <= PAGE && s.offset === 0) return;
    const to = Math.min(total, s.offset + (result.hits || []).length);
    const page = (offset, label, disabled) => {
      const b = el("button", {type: "button", class: "page", disabled}, label);
      b.addEventListener("click", () => {
        const t = readState();
        t.offset = offset;
        go(t);
        window.scrollTo(0, 0);
      });
      return b;
    };
    box.append(page(0, "\u00ab first", s.offset === 0),
               page(Math.max(0, s.offset - PAGE), "\u2039 previous", s.offset === 0),
               el("span", {class: "range"},
                  fmt(Math.min(s.offset + 1, total)) + "\u2013" + fmt(to) + " of " + fmt(total)),
               page(s.offset + PAGE, "next \u203a", s.offset + PAGE >= total));
  }

  // ---- chart: items and overturn rate by decision year, from /api/pivot ----

  function niceStep(max, ticks) {
    const raw = max / ticks;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
    return 10 * mag;
  }

  function drawChart(pivot) {
    const box = $("chart");
    box.replaceChildren();
    box.hidden = false;
    const rowKey = pivot.rows;
    const years = [];
    const byYear = new Map();
    for (const cell of pivot.cells || []) {
      const year = cell[rowKey];
      if (!byYear.has(year)) { byYear.set(year, {upheld: 0, overturned: 0, other: 0}); years.push(year); }
      const d = cell[pivot.cols];
      const slot = d === "upheld" || d === "overturned" ? d : "other";
      byYear.get(year)[slot] += cell.count;
    }
    const rates = new Map((pivot.rates || []).map((r) => [r[rowKey], r]));
    const dated = years.filter((y) => y !== "(none)");
    const undated = byYear.has("(none)") ? byYear.get("(none)") : null;
    const undatedCount = undated ? undated.upheld + undated.overturned + undated.other : 0;
    const caption = el("figcaption", null,
                       "Items by decision year and their overturn rate (overturned / decided), with 95% intervals",
                       undatedCount ? el("span", {class: "undated"},
                                         "; " + fmt(undatedCount) + " items without a decision date are left out") : null);
    if (!dated.length) {
      box.append(caption, el("p", {class: "chart-empty"}, "No matching item has a decision date."));
      return;
    }
    const W = 720, H = 280, L = 56, R = 56, T = 30, B = 44;
    const plotW = W - L - R, plotH = H - T - B;
    const totals = dated.map((y) => { const c = byYear.get(y); return c.upheld + c.overturned + c.other; });
    const maxCount = Math.max(1, ...totals);
    const step = niceStep(maxCount, 4);
    const top = Math.ceil(maxCount / step) * step;
    let maxRate = 0;
    for (const y of dated) { const r = rates.get(y); if (r && r.rate !== null) maxRate = Math.max(maxRate, r.high ?? r.rate); }
    const rateStep = niceStep(Math.max(maxRate, 0.05), 4);
    const rateTop = Math.min(1, Math.ceil(Math.max(maxRate, 0.05) / rateStep) * rateStep);
    const x = (i) => L + (i + 0.5) * plotW / dated.length;
    const yCount = (c) => T + plotH - c / top * plotH;
    const yRate = (r) => T + plotH - r / rateTop * plotH;
    const barW = Math.max(2, Math.min(40, plotW / dated.length * 0.7));

    const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img",
                              "aria-label": "items and overturn rate by decision year"});
    chart.appendChild(svg("title", null, "Matching items by decision year and overturn rate"));
    const grid = svg("g", {class: "grid"});
    const leftAxis = svg("g", {class: "axis axis-left"});
    for (let v = 0; v <= top + 1e-9; v += step) {
      grid.appendChild(svg("line", {x1: L, x2: W - R, y1: yCount(v), y2: yCount(v)}));
      leftAxis.appendChild(svg("text", {x: L - 6, y: yCount(v) + 4, "text-anchor": "end"}, fmt(v)));
    }
    const rightAxis = svg("g", {class: "axis axis-right"});
    for (let v = 0; v <= rateTop + 1e-9; v += rateStep) {
      rightAxis.appendChild(svg("text", {x: W - R + 6, y: yRate(v) + 4, "text-anchor": "start"},
                                (v * 100).toFixed(rateStep < 0.01 ? 1 : 0) + "%"));
    }
    leftAxis.appendChild(svg("text", {class: "axis-title", transform: `translate(14 ${T + plotH / 2}) rotate(-90)`, "text-anchor": "middle"}, "items"));
    rightAxis.appendChild(svg("text", {class: "axis-title", transform: `translate(${W - 10} ${T + plotH / 2}) rotate(90)`, "text-anchor": "middle"}, "overturn rate"));
    chart.append(grid, leftAxis, rightAxis);

    const bars = svg("g", {class: "bars"});
    const xAxis = svg("g", {class: "axis axis-bottom"});
    const every = Math.ceil(dated.length / 16);  // label at most 16 years
    dated.forEach((year, i) => {
      const c = byYear.get(year);
      let base = 0;
      for (const part of ["upheld", "overturned", "other"]) {
        if (!c[part]) continue;
        const y0 = yCount(base), y1 = yCount(base + c[part]);
        bars.appendChild(svg("rect", {class: "bar bar-" + part, x: x(i) - barW / 2, y: y1, width: barW, height: Math.max(0, y0 - y1)},
                             svg("title", null, `${year}: ${fmt(c[part])} ${part}`)));
        base += c[part];
      }
      if (i % every === 0) xAxis.appendChild(svg("text", {x: x(i), y: T + plotH + 16, "text-anchor": "middle"}, year));
    });
    xAxis.appendChild(svg("line", {x1: L, x2: W - R, y1: T + plotH, y2: T + plotH}));
    xAxis.appendChild(svg("text", {class: "axis-title", x: L + plotW / 2, y: H - 6, "text-anchor": "middle"}, "decision year"));
    chart.append(bars, xAxis);

    const line = svg("g", {class: "rate"});
    let path = "";
    dated.forEach((year, i) => {
      const r = rates.get(year);
      if (!r || r.rate === null || r.rate === undefined) return;
      path += (path ? " L" : "M") + x(i).toFixed(1) + " " + yRate(r.rate).toFixed(1);
      line.appendChild(svg("line", {class: "ci", x1: x(i), x2: x(i), y1: yRate(r.low), y2: yRate(r.high)}));
      line.appendChild(svg("circle", {cx: x(i), cy: yRate(r.rate), r: 3.5},
                           svg("title", null, `${year}: overturn rate ${pct(r.rate)} [${pct(r.low)}, ${pct(r.high)}] of ${fmt(r.upheld + r.overturned)} decided`)));
    });
    if (path) line.insertBefore(svg("path", {d: path}), line.firstChild);
    chart.appendChild(line);

    const legend = svg("g", {class: "legend", transform: `translate(${L} 6)`});
    const entries = [["bar-upheld", "upheld"], ["bar-overturned", "overturned"], ["rate-key", "overturn rate"]];
    entries.forEach(([cls, label], i) => {
      const g = svg("g", {transform: `translate(${i * 110} 0)`});
      g.appendChild(cls === "rate-key" ? svg("circle", {class: "rate-key", cx: 5, cy: 5, r: 4})
                                       : svg("rect", {class: cls, x: 0, y: 0, width: 10, height: 10}));
      g.appendChild(svg("text", {x: 15, y: 9.5}, label));
      legend.appendChild(g);
    });
    chart.appendChild(legend);
    box.append(chart, caption);
  }

  // ---- significant words (shown only where the server answers /api/significant) ----

  function drawSignificant(sig) {
    const box = $("significant");
    if (sig instanceof ApiError && (sig.status === 404 || sig.status === 405 || sig.status === 501)) {
      significantAvailable = false;
    }
    // imr-search --significant's JSON: terms [{word, stem, pair, fg_count, bg_count, ...}].
    const terms = sig && !(sig instanceof Error) && Array.isArray(sig.terms) ? sig.terms : [];
    if (!terms.length) { box.hidden = true; return; }
    const ol = $("significant-list");
    ol.replaceChildren();
    for (const t of terms) {
      const word = typeof t.word === "string" && t.word ? t.word : t.stem;
      if (!word) continue;
      // A click narrows the query to the rationales holding the word (a phrase for a pair).
      const a = el("a", {href: "#", class: "sig-word",
                         title: `in ${fmt(t.fg_count)} of ${fmt(sig.fg_size)} matching items' rationales, ` +
                                `${fmt(t.bg_count)} of ${fmt(sig.bg_size)} in the background`}, word);
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        const s = readState();
        const clause = "rationale:" + (/\s/.test(word) ? '"' + word.replace(/"/g, "") + '"' : word);
        s.q = s.q ? "(" + s.q + ") " + clause : clause;
        s.offset = 0;
        go(s);
      });
      ol.appendChild(el("li", null, a, el("span", {class: "count"}, " " + fmt(t.fg_count))));
    }
    box.hidden = false;
  }

  // ---- letter view: every item of one letter, from /api/letter/ID ----

  function drawLetter(letter) {
    const box = $("letter");
    box.replaceChildren();
    const row = (label, value) => value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)
                                      ? null : el("tr", null, el("th", null, label), el("td", null, list(value)));
    box.appendChild(el("h2", {class: "letter-id"}, "Letter " + letter.id));
    box.appendChild(el("table", {class: "cover"}, el("tbody", null,
        row("decision date", letter.decision_date), row("date assigned", letter.date_assigned),
        row("date of injury", letter.injury_date), row("UR denial date", letter.ur_denial_date),
        row("application received", letter.received_date), row("priority", letter.priority),
        row("worker", [letter.age === null || letter.age === undefined ? "" : letter.age + " years", letter.sex].filter((x) => x).join(", ")),
        row("reviewer licensure", letter.states), row("reviewer specialty", letter.specialties),
        row("source", letter.source))));
    if (letter.summary) {
      box.appendChild(el("section", {class: "summary"}, el("h3", null, "Clinical case summary"),
                         el("p", {class: "letter-summary"}, letter.summary)));
    }
    const items = letter.items || [];
    const ol = el("ol", {class: "items"});
    items.forEach((item, i) => {
      const guideline = (label, g) => g && (g.text || (g.sources || []).length)
          ? el("div", {class: "guideline"}, el("span", {class: "label"}, label + ": "), g.text || "",
               (g.sources || []).length ? el("span", {class: "sources"}, " [" + g.sources.join(", ") + "]") : null)
          : null;
      const facts = [["category", item.category], ["drug", item.drug], ["class", item.drug_class],
                     ["strength", item.strength], ["quantity", item.quantity]]
                        .filter(([, v]) => v).map(([k, v]) => el("span", {class: "fact"}, k + " ", el("b", null, v)));
      const focused = location.hash === "#item-" + (i + 1);
      ol.appendChild(el("li", {class: focused ? "item focused" : "item", id: "item-" + (i + 1), "data-item": i + 1},
          el("div", {class: "item-head"},
             el("span", {class: "decision decision-" + item.decision}, item.decision),
             el("span", {class: "item-request"}, item.request)),
          item.original_request ? el("div", {class: "original"}, "original request: ", item.original_request) : null,
          el("div", {class: "facts"}, facts),
          guideline("Claims administrator guideline", item.ca_guideline),
          guideline("MAXIMUS guideline", item.maximus_guideline),
          el("p", {class: "rationale"}, el("span", {class: "label"}, "Decision rationale: "), item.rationale || "")));
    });
    box.appendChild(el("h3", null, fmt(items.length) + " disputed item" + (items.length === 1 ? "" : "s")));
    box.appendChild(ol);
    const target = box.querySelector("li.item.focused");
    if (target) target.scrollIntoView({block: "start"});
  }

  // ---- health line in the footer ----

  async function drawHealth() {
    try {
      const h = await getJson("/api/health");
      const parts = [fmt(h.documents) + " items"];
      if (h.letters !== null && h.letters !== undefined) parts.push(fmt(h.letters) + " letters");
      parts.push(fmt(h.shards) + " shard" + (h.shards === 1 ? "" : "s") + (h.remote ? " (remote)" : ""));
      if (h.facet_counts) parts.push("facets from " + h.facet_counts);
      $("health").textContent = "Index: " + parts.join(", ") + ".";
    } catch (e) {
      $("health").textContent = "Index status unavailable: " + e.message;
    }
  }

  // ---- wiring ----

  function init() {
    $("search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const s = readState();
      s.q = $("q").value.trim();
      s.offset = 0;
      s.letter = "";
      go(s);
    });
    $("by-letter").addEventListener("change", () => {
      const s = readState();
      s.byLetter = $("by-letter").checked;
      s.offset = 0;
      go(s);
    });
    $("sort").addEventListener("change", () => {
      const s = readState();
      s.sort = $("sort").value;
      s.offset = 0;
      go(s);
    });
    $("letter-back").addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      const s = readState();
      s.letter = "";
      go(s);
    });
    $("home").addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      go({q: "", filters: [], byLetter: false, sort: "relevance", offset: 0, letter: ""});
    });
    for (const code of document.querySelectorAll("#help code.example")) {
      code.setAttribute("title", "put this in the search box");
      code.addEventListener("click", () => {
        $("q").value = code.textContent;
        $("q").focus();
      });
    }
    window.addEventListener("popstate", render);
    drawHealth();
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
