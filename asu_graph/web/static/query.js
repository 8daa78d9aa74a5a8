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
  var results = tab.getYasr().rootEl;
  new MutationObserver(function () { rewriteLinks(results); })
    .observe(results, { childList: true, subtree: true });

  stateChanged(initial);
})();
