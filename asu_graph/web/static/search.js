// Suggestions for the search boxes: fills the input's <datalist> from /search/suggest
// while the user types; choosing a suggestion opens the entity's page.
(function () {
  "use strict";
  // The suggestion opens in the language of the page it was chosen on, which may differ
  // from the browser's Accept-Language (a visitor who switched to French stays in French).
  function withLang(url, lang) {
    var target = new URL(url, window.location.href);
    if (!target.searchParams.has("lang")) { target.searchParams.set("lang", lang); }
    return target.href;
  }
  function wire(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var endpoint = input.getAttribute("data-suggest");
    var lang = document.documentElement.lang || "en";
    var urls = {};
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var value = input.value;
      if (Object.prototype.hasOwnProperty.call(urls, value)) {
        window.location.assign(urls[value]);
        return;
      }
      clearTimeout(timer);
      if (value.trim().length < 2) { list.textContent = ""; return; }
      timer = setTimeout(function () {
        asked = value;
        fetch(endpoint + "?limit=8&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(value),
              { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            if (asked !== input.value) { return; }
            list.textContent = "";
            urls = {};
            data.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              if (item.type) { option.label = item.type; }
              urls[item.label] = withLang(item.url, lang);
              list.appendChild(option);
            });
          })
          .catch(function () { list.textContent = ""; });
      }, 120);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) { wire(inputs[i]); }
  });
})();
