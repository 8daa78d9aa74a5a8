// The query page: YASGUI on this server's /sparql, the curated-query picker, a
// shareable URL that holds the query, download links, and result IRIs that
// lead to the entity pages of this host. Settings come from the JSON block
// #query-config (no inline script, so a strict script-src policy applies).
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("query-config").textContent);
  var picker = document.getElementById("curated");
  var description = document.getElementById("curated-description");
  var textarea = document.getElementById("query-text");
  var shareLink = document.getElementById("share-link");
  var copyButton = document.getElementById("copy-link");
  var copyStatus = document.getElementById("copy-status");
  var downloads = document.getElementById("download-links");
  var byName = {};
  config.queries.forEach(function (q) { byName[q.name] = q; });

  // Query strings longer than this go in the URL fragment, which is never sent
  // to the server (request lines have a size limit; fragments do not).
  var MAX_QUERY_IN_URL = 3000;

  function curatedNameOf(text) {
    for (var i = 0; i < config.queries.length; i++) {
      if (config.queries[i].query.trim() === text.trim()) return config.queries[i].name;
    }
    return null;
  }

  function pageUrl(text) {
    var params = new URLSearchParams();
    if (config.lang !== "en") params.set("lang", config.lang);
    var name = curatedNameOf(text);
    if (name) {
      params.set("name", name);
      return config.page + "?" + params.toString();
    }
    var encoded = encodeURIComponent(text);
    if (encoded.length > MAX_QUERY_IN_URL) {
      var head = params.toString();
      return config.page + (head ? "?" + head : "") + "#query=" + encoded;
    }
    params.set("query", text);
    return config.page + "?" + params.toString();
  }

  function queryForm(text) {
    // Only the query form matters here: the first keyword after the prologue.
    var stripped = text.replace(/#[^\n\r]*/g, " ").replace(/<[^<>\s]*>/g, " ");
    var match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  function updateDownloads(text) {
    var keys = /^(CONSTRUCT|DESCRIBE)$/.test(queryForm(text)) ? config.graphFormats
      : config.resultFormats;
    downloads.textContent = "";
    keys.forEach(function (key, index) {
      var a = document.createElement("a");
      a.href = config.endpoint.replace(/^https?:\/\/[^/]+/, "") + "?" +
        new URLSearchParams({ query: text, format: key }).toString();
      a.textContent = key.toUpperCase();
      a.setAttribute("download", "results." + config.extensions[key]);
      a.setAttribute("data-format", key);
      if (index) downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(a);
    });
  }

  function describe(name) {
    var q = byName[name];
    description.textContent = q ? q.description + (q.federated ? " " + config.text.federated_note : "") : "";
  }

  function stateChanged(text) {
    var url = pageUrl(text);
    shareLink.href = url;
    var name = curatedNameOf(text);
    picker.value = name || "";
    describe(name);
    updateDownloads(text);
    if (window.location.pathname + window.location.search + window.location.hash !== url) {
      window.history.replaceState(null, "", url);
    }
  }

  // A long query shared through the fragment (see MAX_QUERY_IN_URL), or a link
  // made by YASGUI's own share button (#query=...&endpoint=...).
  function queryFromFragment() {
    if (window.location.hash.indexOf("#query=") !== 0) return null;
    try {
      return new URLSearchParams(window.location.hash.slice(1)).get("query");
    } catch (e) { return null; }
  }

  copyButton.hidden = !(navigator.clipboard && window.isSecureContext);
  copyButton.addEventListener("click", function () {
    navigator.clipboard.writeText(shareLink.href).then(function () {
      copyStatus.textContent = config.text.copied;
    });
  });

  var initial = queryFromFragment() || textarea.value;

  if (typeof window.Yasgui !== "function") {
    // No editor files: the plain form is the page. Keep picker and links working.
    textarea.value = initial;
    picker.addEventListener("change", function () {
      if (byName[picker.value]) textarea.value = byName[picker.value].query;
      stateChanged(textarea.value);
    });
    textarea.addEventListener("input", function () { stateChanged(textarea.value); });
    stateChanged(initial);
    return;
  }

  document.getElementById("plain-form").hidden = true;
  var loadButton = document.querySelector("form.curated button.load");
  if (loadButton) loadButton.hidden = true;

  // Completion of the properties and classes this dataset uses, from the page
  // itself (YASQE's own property and class completers ask an online service).
  var Yasqe = window.Yasgui.Yasqe;
  if (Yasqe && Yasqe.forkAutocompleter && !Yasqe.Autocompleters["asu-properties"]) {
    Yasqe.forkAutocompleter("property", { name: "asu-properties", bulk: true, autoShow: true,
      get: config.terms.properties, persistenceId: null }, false);
    Yasqe.forkAutocompleter("class", { name: "asu-classes", bulk: true, autoShow: true,
      get: config.terms.classes, persistenceId: null }, false);
  }

  var yasgui = new window.Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    // The URL holds the query; nothing is kept in the browser's storage.
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: {
      value: initial,
      persistenceId: null,
      consumeShareLink: null,
      // Prefix completion from this server; LOV's online completers are left out.
      prefixCcApi: config.prefixesUrl,
      autocompleters: ["prefixes", "variables", "asu-properties", "asu-classes"],
    },
    yasr: { prefixes: config.prefixes, persistenceId: null, defaultPlugin: "table" },
  });

  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  if (yasqe.getValue() !== initial) yasqe.setValue(initial);

  picker.addEventListener("change", function () {
    var q = byName[picker.value];
    if (q) {
      yasqe.setValue(q.query);
      yasqe.focus();
    }
    stateChanged(yasqe.getValue());
  });
  yasqe.on("change", function () { stateChanged(yasqe.getValue()); });

  // Canonical IRIs of this dataset lead to this host's pages (offline too).
  function localHref(iri) {
    for (var i = 0; i < config.links.length; i++) {
      var rule = config.links[i];
      if (iri.indexOf(rule[0]) === 0 && iri.length > rule[0].length) {
        return rule[1] + iri.slice(rule[0].length);
      }
    }
    return null;
  }
  function rewriteLinks(root) {
    var anchors = root.querySelectorAll("a[href]");
    for (var i = 0; i < anchors.length; i++) {
      var a = anchors[i];
      if (a.dataset.canonical) continue;
      var local = localHref(a.getAttribute("href"));
      if (local) {
        a.dataset.canonical = a.getAttribute("href");
        a.title = a.getAttribute("href");
        a.setAttribute("href", local);
      }
    }
  }
  var yasr = tab.getYasr();
  var results = yasr.rootEl;
  var labels = {};        // IRI -> name in the page's language, fetched from the endpoint
  // Names for the controls YASGUI builds without one (its editor's hidden
  // textarea, the table's page-size select), for screen readers.
  function nameControls(root) {
    var area = root.querySelector(".yasqe textarea:not([aria-label])");
    if (area) area.setAttribute("aria-label", config.text.editor);
    var size = root.querySelector("select.tableSizer:not([aria-label])");
    if (size) size.setAttribute("aria-label", config.text.page_size);
  }
  nameControls(document.getElementById("yasgui"));
  new MutationObserver(function () {
    nameControls(document.getElementById("yasgui"));
    rewriteLinks(results);
    plainLiterals(results);
    showLabels(results);
  }).observe(results, { childList: true, subtree: true });

  // Literals as people read them: no quotes, no @lang, no ^^datatype. The RDF
  // term stays available on hover (title) and in the downloads.
  function plainLiterals(root) {
    var cells = root.querySelectorAll("span.nonIri:not([data-plain])");
    for (var i = 0; i < cells.length; i++) {
      var cell = cells[i];
      cell.setAttribute("data-plain", "");
      var sup = cell.querySelector("sup");
      if (!sup) continue;
      var tag = sup.textContent.trim();
      sup.remove();
      var text = cell.textContent;
      if (text.length >= 2 && text.charAt(0) === '"' && text.charAt(text.length - 1) === '"') {
        text = text.slice(1, -1);
      }
      cell.textContent = text;
      cell.classList.add("plain-literal");
      if (tag.charAt(0) === "@") cell.lang = tag.slice(1);
      cell.title = tag.charAt(0) === "@" ? tag : tag.replace(/^\^\^/, "");
    }
  }

  // Names beside IRIs: one small SELECT to this endpoint for the IRIs on screen.
  var asking = {};
  function iriOf(a) { return a.dataset.canonical || a.getAttribute("href"); }
  function showLabels(root) {
    var anchors = root.querySelectorAll("a.iri");
    var missing = [];
    for (var i = 0; i < anchors.length; i++) {
      var a = anchors[i];
      var iri = iriOf(a);
      if (!/^https?:/.test(iri)) continue;
      if (Object.prototype.hasOwnProperty.call(labels, iri)) {
        putLabel(a, labels[iri]);
      } else if (!asking[iri] && missing.length < 100) {
        asking[iri] = true;
        missing.push(iri);
      }
    }
    if (missing.length) fetchLabels(missing);
  }
  function putLabel(a, name) {
    if (!name || a.getAttribute("data-labelled") !== null) return;
    a.setAttribute("data-labelled", "");
    var span = document.createElement("span");
    span.className = "iri-label";
    span.textContent = name;
    a.insertAdjacentElement("afterend", span);
  }
  function fetchLabels(iris) {
    var values = iris.map(function (iri) { return "<" + iri.replace(/[<>"{}|^`\\\s]/g, "") + ">"; });
    var query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "SELECT ?iri ?name WHERE { VALUES ?iri { " + values.join(" ") + " }\n" +
      "  { ?iri skos:prefLabel ?name } UNION { ?iri rdfs:label ?name }\n" +
      "  FILTER(LANG(?name) = \"" + config.lang + "\" || LANG(?name) = \"\") }";
    fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query: query }).toString(),
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        iris.forEach(function (iri) { labels[iri] = labels[iri] || ""; });
        if (data) {
          data.results.bindings.forEach(function (b) {
            if (!labels[b.iri.value]) labels[b.iri.value] = b.name.value;
          });
        }
        showLabels(results);
      })
      .catch(function () { iris.forEach(function (iri) { labels[iri] = ""; }); });
  }

  // Progress: a status line while a query runs, and a button that stops it.
  var status = document.getElementById("query-status");
  var progress = status.parentNode;
  var stopButton = document.getElementById("stop-query");
  var started = 0;
  var ticker = null;
  function finished(message) {
    clearInterval(ticker);
    progress.classList.remove("running");
    stopButton.hidden = true;
    status.textContent = message;
  }
  yasqe.on("query", function () {
    started = Date.now();
    progress.classList.add("running");
    stopButton.hidden = false;
    status.textContent = config.text.running;
    clearInterval(ticker);
    ticker = setInterval(function () {
      status.textContent = config.text.running + " " +
        Math.floor((Date.now() - started) / 1000) + " s";
    }, 1000);
    hideTimeline();
  });
  yasqe.on("queryAbort", function () { finished(config.text.stopped); });
  var tookSeconds = null;
  yasqe.on("queryResponse", function (instance, response) {
    if (!progress.classList.contains("running")) return;   // already stopped
    tookSeconds = ((Date.now() - started) / 1000).toFixed(1);
    var ok = response && !(response instanceof Error) && !(response.status >= 400);
    finished(ok ? "" : config.text.failed);
  });
  stopButton.addEventListener("click", function () { yasqe.abortQuery(); });

  yasr.on("drawn", function () {
    var bindings = yasr.results && yasr.results.getBindings ? yasr.results.getBindings() : null;
    if (tookSeconds !== null && !status.textContent) {
      status.textContent = config.text.done.replace("{seconds}", tookSeconds)
        .replace("{rows}", bindings ? String(bindings.length) : "?");
    }
    tookSeconds = null;
    drawTimeline(bindings || [], yasr.results && yasr.results.getVariables
      ? yasr.results.getVariables() : []);
  });

  // A timeline of the rows that hold a date: a self-drawn SVG under the table.
  var timeline = document.getElementById("timeline");
  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var DATED = [XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth"];
  function hideTimeline() {
    timeline.hidden = true;
    var old = timeline.querySelector("svg, p");
    while (old) { old.remove(); old = timeline.querySelector("svg, p"); }
  }
  function timeOf(value) {
    var m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value);
    return m ? Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1) : NaN;
  }
  function rowLabel(b, vars, dateVar) {
    var words = [];
    var names = [];
    vars.forEach(function (v) {
      var t = b[v];
      if (!t || v === dateVar) return;
      var suffix = /_([a-z]{2})$/.exec(v);
      if (suffix && suffix[1] !== config.lang) return;            // the other language's column
      if (t.type === "uri") names.push(labels[t.value] || t.value.replace(/^.*[/#]/, ""));
      else if (!t["xml:lang"] || t["xml:lang"] === config.lang || !suffix) words.push(t.value);
    });
    return (words.length ? words : names).join(" \u2014 ");
  }
  function svg(name, attrs, text) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function drawTimeline(bindings, vars) {
    hideTimeline();
    var dateVar = null;
    for (var i = 0; i < vars.length && !dateVar; i++) {
      for (var j = 0; j < bindings.length; j++) {
        var t = bindings[j][vars[i]];
        if (t && DATED.indexOf(t.datatype) >= 0) { dateVar = vars[i]; break; }
      }
    }
    if (!dateVar) return;
    var rows = [];
    bindings.forEach(function (b) {
      var t = b[dateVar];
      var when = t && DATED.indexOf(t.datatype) >= 0 ? timeOf(t.value) : NaN;
      if (!isNaN(when)) rows.push({ when: when, date: t.value.slice(0, 10), text: rowLabel(b, vars, dateVar) });
    });
    if (!rows.length) return;
    rows.sort(function (a, b) { return a.when - b.when; });
    // Time runs down a vertical axis (a phone has height, not width); labels
    // are pushed down when two dates are too close, with a line back to their dot.
    var WIDTH = 720, AXIS = 110, TOP = 16, LINE = 22;
    var first = rows[0].when, last = rows[rows.length - 1].when;
    var span = Math.max(rows.length * LINE * 1.2, 240);
    var y = TOP - LINE;
    var group = svg("g", {});
    group.appendChild(svg("line", { x1: AXIS, y1: TOP - 8, x2: AXIS, y2: TOP + span + 8,
      stroke: "#57606a", "stroke-width": 2 }));
    rows.forEach(function (row) {
      var at = TOP + (last > first ? (row.when - first) / (last - first) * span : 0);
      y = Math.max(at, y + LINE);
      var item = svg("g", { "class": "event" });
      item.appendChild(svg("circle", { cx: AXIS, cy: at, r: 5, fill: "#0b5cad" }));
      item.appendChild(svg("path", { d: "M" + AXIS + " " + at + " L" + (AXIS + 14) + " " + y +
        " H" + (AXIS + 20), fill: "none", stroke: "#8c959f" }));
      item.appendChild(svg("text", { x: AXIS - 12, y: y + 4, "text-anchor": "end",
        "font-size": 13, fill: "#24292f" }, row.date));
      var text = row.text.length > 78 ? row.text.slice(0, 77) + "\u2026" : row.text;
      var label = svg("text", { x: AXIS + 24, y: y + 4, "font-size": 13, fill: "#24292f" }, text);
      label.appendChild(svg("title", {}, row.text));
      item.appendChild(label);
      group.appendChild(item);
    });
    var height = Math.max(y, TOP + span) + TOP;
    var picture = svg("svg", { viewBox: "0 0 " + WIDTH + " " + height, role: "img",
      "aria-labelledby": "timeline-summary" });
    picture.appendChild(group);
    var summary = document.createElement("p");
    summary.id = "timeline-summary";
    summary.className = "visually-hidden";
    summary.textContent = config.text.timeline_summary.replace("{count}", rows.length)
      .replace("{first}", rows[0].date).replace("{last}", rows[rows.length - 1].date);
    timeline.appendChild(summary);
    timeline.appendChild(picture);
    timeline.hidden = false;
  }

  stateChanged(initial);
})();
