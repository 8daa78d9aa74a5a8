/* The alliance as an interactive graph: a small force layout drawn in SVG.
 *
 * Data comes from /graph-view.json (SPARQL answers, labelled in the page's
 * language). No library: repulsion between every pair of nodes, springs
 * along links and a pull to the centre, cooled until the picture settles.
 * Nodes can be dragged; a click (a press without a drag) follows the link.
 */
(function () {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = {
    "alliance": "#1f5fa8", "member": "#b35c00", "research-organisation": "#2a7a3a",
    "institute": "#7b4fa0", "initiative": "#b0406a", "programme": "#0f6e75",
    "call": "#8a6d00", "funding": "#5b6b00", "other": "#6a727c"
  };
  var LINKS = {
    "member": {colour: "#b35c00", dash: "", width: 2},
    "research-partner": {colour: "#2a7a3a", dash: "6 4", width: 1.5},
    "part-of": {colour: "#7b4fa0", dash: "2 3", width: 1.5},
    "leads": {colour: "#b0406a", dash: "", width: 3},
    "involved-in": {colour: "#b0406a", dash: "4 3", width: 1.2},
    "holds": {colour: "#0f6e75", dash: "", width: 2},
    "won": {colour: "#8a6d00", dash: "", width: 2},
    "under-programme": {colour: "#0f6e75", dash: "4 3", width: 1.5},
    "obtained-through": {colour: "#5b6b00", dash: "4 3", width: 1.5},
    "funds": {colour: "#5b6b00", dash: "", width: 2}
  };
  var RADIUS = {"alliance": 18, "member": 11, "research-organisation": 9,
                "institute": 8, "initiative": 8, "programme": 10, "call": 8, "funding": 8,
                "other": 7};
  var SPRING = {"member": 120, "research-partner": 150, "part-of": 140,
                "leads": 110, "involved-in": 150};
  var REPULSION = 12000;
  var FONT = 11, LINE = 13, CHARS = 24;   // label size: px, line height, wrap width

  // Full names on up to four short lines (word wrap), so that none runs far sideways.
  function wrap(name) {
    var words = name.split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > CHARS) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    if (lines.length > 4) { lines = lines.slice(0, 4); lines[3] = lines[3] + "\u2026"; }
    return lines;
  }

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function start(figure) {
    var svg = figure.querySelector("svg");
    var status = figure.querySelector(".status");
    fetch(figure.getAttribute("data-source"), {headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) { draw(figure, svg, data); })
      .catch(function (error) { status.textContent = String(error); });
  }

  function legend(figure, data, nodes, links) {
    var box = figure.querySelector(".legend");
    var groups = {}, kinds = {};
    nodes.forEach(function (n) { groups[n.group] = true; });
    links.forEach(function (l) { kinds[l.kind] = true; });
    Object.keys(data.groups).forEach(function (group) {
      if (!groups[group]) { return; }
      var span = document.createElement("span"), dot = document.createElement("i");
      dot.style.background = COLOURS[group];
      span.appendChild(dot);
      span.appendChild(document.createTextNode(data.groups[group]));
      box.appendChild(span);
    });
    Object.keys(data.kinds).forEach(function (kind) {
      if (!kinds[kind]) { return; }
      var span = document.createElement("span"), line = document.createElement("i");
      line.className = "line";
      line.style.background = LINKS[kind].colour;
      span.appendChild(line);
      span.appendChild(document.createTextNode(data.kinds[kind]));
      box.appendChild(span);
    });
  }

  function draw(figure, svg, data) {
    var width = svg.clientWidth || 800, height = svg.clientHeight || 540;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var byId = {};
    var nodes = data.nodes.map(function (n, i) {
      // Start on a circle (deterministic), alliance in the middle.
      var angle = 2 * Math.PI * i / data.nodes.length;
      var centre = n.group === "alliance";
      var node = {id: n.id, label: n.label, name: n.name, group: n.group, href: n.href,
                  x: width / 2 + (centre ? 0 : Math.cos(angle) * width / 3),
                  y: height / 2 + (centre ? 0 : Math.sin(angle) * height / 3),
                  vx: 0, vy: 0, fixed: false};
      byId[n.id] = node;
      return node;
    });
    var links = data.links.filter(function (l) { return byId[l.source] && byId[l.target]; })
      .map(function (l) { return {kind: l.kind, s: byId[l.source], t: byId[l.target]}; });

    // One arrowhead per kind of relation, in its colour: the line points from
    // the subject of the statement to its object.
    var defs = el("defs");
    Object.keys(LINKS).forEach(function (kind) {
      var marker = el("marker", {"id": "arrow-" + kind, "viewBox": "0 0 10 10", "refX": 9,
                                 "refY": 5, "markerWidth": 7, "markerHeight": 7,
                                 "markerUnits": "userSpaceOnUse", "orient": "auto"});
      marker.appendChild(el("path", {"d": "M0,0 L10,5 L0,10 z", "fill": LINKS[kind].colour}));
      defs.appendChild(marker);
    });
    svg.appendChild(defs);
    var linkLayer = el("g", {"class": "links"}), nodeLayer = el("g", {"class": "nodes"});
    svg.appendChild(linkLayer);
    svg.appendChild(nodeLayer);
    links.forEach(function (l) {
      var style = LINKS[l.kind] || LINKS["involved-in"];
      l.el = el("line", {"stroke": style.colour, "stroke-width": style.width,
                         "stroke-dasharray": style.dash, "data-kind": l.kind,
                         "marker-end": "url(#arrow-" + (LINKS[l.kind] ? l.kind : "involved-in") + ")",
                         "data-source": l.s.id, "data-target": l.t.id});
      var title = el("title");
      title.textContent = l.s.name + " \u2192 " + (data.kinds[l.kind] || l.kind) + " \u2192 " + l.t.name;
      l.el.appendChild(title);
      linkLayer.appendChild(l.el);
    });
    nodes.forEach(function (n) {
      var r = RADIUS[n.group] || 8;
      n.r = r;
      var group = el("g", {"class": "node", "data-iri": n.id, "data-group": n.group});
      var anchor = el("a", {"href": n.href});
      var circle = el("circle", {"r": r, "fill": COLOURS[n.group] || COLOURS.other});
      // The full name, centred under the dot on short lines.
      var lines = wrap(n.name);
      var text = el("text", {"y": r + LINE, "text-anchor": "middle"});
      lines.forEach(function (line, i) {
        var span = el("tspan", {"x": 0, "dy": i ? LINE : 0});
        // textContent: a label is never markup. The space keeps the words apart
        // in the link's accessible name, which is made of this text.
        span.textContent = i < lines.length - 1 ? line + " " : line;
        text.appendChild(span);
      });
      var shown = lines.join(" ");
      // The visible text first, then the full name when it was cut.
      anchor.setAttribute("aria-label", shown === n.name ? n.name : shown + " (" + n.name + ")");
      // Half-width and extent above/below of what the node covers (dot and name).
      n.hw = Math.max(r, Math.max.apply(null, lines.map(function (l) { return l.length; }))
                      * FONT * 0.3 + 2);
      n.top = r + 1;
      n.bottom = r + LINE * lines.length + 3;
      var title = el("title");
      title.textContent = n.name;
      anchor.appendChild(circle);
      anchor.appendChild(text);
      // The tooltip sits beside the link, not in it: inside, it would join the
      // link's visible text and no longer match its accessible name.
      group.appendChild(title);
      group.appendChild(anchor);
      nodeLayer.appendChild(group);
      n.el = group;
      dragging(svg, n, group, anchor, reheat);
    });
    legend(figure, data, nodes, links);
    // A narrow screen gets a taller picture: room for every name without overlap.
    var area = 0;
    nodes.forEach(function (n) { area += (2 * n.hw + 6) * (n.top + n.bottom + 6); });
    var needed = Math.ceil(area * 1.6 / width);
    if (needed > height) {
      height = needed;
      svg.style.height = height + "px";
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    }
    nodes.forEach(clamp);

    var alpha = 1, running = false;
    function reheat(level) {
      alpha = Math.max(alpha, level);
      if (!running) { running = true; window.requestAnimationFrame(frame); }
    }
    function tick() {
      var i, j, a, b, dx, dy, d2, d, f;
      for (i = 0; i < nodes.length; i++) {
        a = nodes[i];
        for (j = i + 1; j < nodes.length; j++) {
          b = nodes[j];
          dx = b.x - a.x; dy = b.y - a.y;
          d2 = dx * dx + dy * dy;
          if (d2 < 1) { dx = Math.random() - 0.5; dy = Math.random() - 0.5; d2 = 1; }
          d = Math.sqrt(d2);
          f = Math.min(REPULSION / d2, 60) * alpha;
          a.vx -= f * dx / d; a.vy -= f * dy / d;
          b.vx += f * dx / d; b.vy += f * dy / d;
        }
      }
      links.forEach(function (l) {
        dx = l.t.x - l.s.x; dy = l.t.y - l.s.y;
        d = Math.sqrt(dx * dx + dy * dy) || 1;
        f = (d - (SPRING[l.kind] || 140)) * 0.03 * alpha;
        l.s.vx += f * dx / d; l.s.vy += f * dy / d;
        l.t.vx -= f * dx / d; l.t.vy -= f * dy / d;
      });
      nodes.forEach(function (n) {
        n.vx += (width / 2 - n.x) * 0.004 * alpha;
        // A tall (phone) picture pulls less towards its middle, so nodes use its height.
        n.vy += (height / 2 - n.y) * 0.006 * Math.min(1, 540 / height) * alpha;
        if (n.fixed) { n.vx = 0; n.vy = 0; return; }
        n.vx *= 0.82; n.vy *= 0.82;
        n.x += n.vx; n.y += n.vy;
      });
      separate();
      alpha *= 0.975;
    }
    // Keep every dot and its name inside the frame.
    function clamp(n) {
      n.x = Math.max(n.hw + 2, Math.min(width - n.hw - 2, n.x));
      n.y = Math.max(n.top + 2, Math.min(height - n.bottom - 2, n.y));
    }
    // No node drawn over another: boxes (dot and name) that overlap are pushed
    // apart along the shorter way out; a held node stays under the pointer.
    function separate() {
      var i, j, a, b, ox, oy, push, wa, moved;
      for (var pass = 0; pass < 6; pass++) {
        moved = false;
        for (i = 0; i < nodes.length; i++) {
          for (j = i + 1; j < nodes.length; j++) {
            a = nodes[i]; b = nodes[j];
            ox = Math.min(a.x + a.hw, b.x + b.hw) - Math.max(a.x - a.hw, b.x - b.hw);
            oy = Math.min(a.y + a.bottom, b.y + b.bottom) - Math.max(a.y - a.top, b.y - b.top);
            if (ox <= -2 || oy <= -2) { continue; }
            moved = true;
            wa = a.fixed ? 0 : (b.fixed ? 1 : 0.5);
            if (ox < oy) {
              push = (ox + 2) * (a.x < b.x ? -1 : 1);
              a.x += push * wa; b.x -= push * (1 - wa);
            } else {
              push = (oy + 2) * (a.y < b.y ? -1 : 1);
              a.y += push * wa; b.y -= push * (1 - wa);
            }
          }
        }
        nodes.forEach(clamp);
        if (!moved) { break; }
      }
    }
    function render() {
      links.forEach(function (l) {
        var dx = l.t.x - l.s.x, dy = l.t.y - l.s.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
        var back = Math.min(l.t.r + 2, d / 2);   // the arrow stops at the target's dot
        l.el.setAttribute("x1", l.s.x.toFixed(1)); l.el.setAttribute("y1", l.s.y.toFixed(1));
        l.el.setAttribute("x2", (l.t.x - dx / d * back).toFixed(1));
        l.el.setAttribute("y2", (l.t.y - dy / d * back).toFixed(1));
      });
      nodes.forEach(function (n) {
        n.el.setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")");
      });
    }
    function frame() {
      tick(); tick(); tick();
      render();
      if (alpha > 0.004) { window.requestAnimationFrame(frame); }
      else { running = false; figure.setAttribute("data-state", "settled"); }
    }
    render();
    figure.setAttribute("data-state", "drawn");
    reheat(1);
  }

  function dragging(svg, node, group, anchor, reheat) {
    var pressed = null, dragged = false;
    function point(event) {
      var p = svg.createSVGPoint();
      p.x = event.clientX; p.y = event.clientY;
      return p.matrixTransform(svg.getScreenCTM().inverse());
    }
    group.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      pressed = {x: event.clientX, y: event.clientY};
      dragged = false;
      event.preventDefault();   // no text selection, no native drag of the link
    });
    group.addEventListener("pointermove", function (event) {
      if (!pressed) { return; }
      if (!dragged) {
        if (Math.abs(event.clientX - pressed.x) + Math.abs(event.clientY - pressed.y) < 4) {
          return;
        }
        // Capture only once it is a drag, so that a plain click still reaches the link.
        dragged = true;
        group.setPointerCapture(event.pointerId);
        group.classList.add("dragging");
      }
      var p = point(event);
      node.fixed = true; node.x = p.x; node.y = p.y;
      reheat(0.3);
    });
    function release(event) {
      if (!pressed) { return; }
      pressed = null;
      node.fixed = false;
      group.classList.remove("dragging");
      if (group.hasPointerCapture(event.pointerId)) { group.releasePointerCapture(event.pointerId); }
    }
    group.addEventListener("pointerup", release);
    group.addEventListener("pointercancel", release);
    // A press that became a drag is not a click on the link.
    group.addEventListener("click", function (event) {
      if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
    }, true);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.graph-view"), start);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
