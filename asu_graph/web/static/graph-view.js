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
    "alliance": "#1f5fa8", "member": "#d9822b", "research-organisation": "#2a7a3a",
    "institute": "#7b4fa0", "initiative": "#b0406a", "other": "#7a828c"
  };
  var LINKS = {
    "member": {colour: "#d9822b", dash: "", width: 2},
    "research-partner": {colour: "#2a7a3a", dash: "6 4", width: 1.5},
    "part-of": {colour: "#7b4fa0", dash: "2 3", width: 1.5},
    "leads": {colour: "#b0406a", dash: "", width: 3},
    "involved-in": {colour: "#b0406a", dash: "4 3", width: 1.2}
  };
  var RADIUS = {"alliance": 22, "member": 13, "research-organisation": 11,
                "institute": 10, "initiative": 10, "other": 8};
  var SPRING = {"member": 130, "research-partner": 170, "part-of": 150,
                "leads": 110, "involved-in": 170};
  var REPULSION = 12000;

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

    var linkLayer = el("g", {"class": "links"}), nodeLayer = el("g", {"class": "nodes"});
    svg.appendChild(linkLayer);
    svg.appendChild(nodeLayer);
    links.forEach(function (l) {
      var style = LINKS[l.kind] || LINKS["involved-in"];
      l.el = el("line", {"stroke": style.colour, "stroke-width": style.width,
                         "stroke-dasharray": style.dash, "data-kind": l.kind,
                         "data-source": l.s.id, "data-target": l.t.id});
      var title = el("title");
      title.textContent = l.s.name + " \u2192 " + (data.kinds[l.kind] || l.kind) + " \u2192 " + l.t.name;
      l.el.appendChild(title);
      linkLayer.appendChild(l.el);
    });
    nodes.forEach(function (n) {
      var r = RADIUS[n.group] || 8;
      var group = el("g", {"class": "node", "data-iri": n.id, "data-group": n.group});
      var anchor = el("a", {"href": n.href});
      // The accessible name holds the visible text (an acronym) and the full name.
      // (visible text first: speech users say what they see to follow a link).
      anchor.setAttribute("aria-label", n.label === n.name ? n.name : n.label + ", " + n.name);
      var circle = el("circle", {"r": r, "fill": COLOURS[n.group] || COLOURS.other});
      var text = el("text", {"x": r + 4, "y": 4});
      text.textContent = n.label;   // textContent: a label is never markup
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
        n.vy += (height / 2 - n.y) * 0.006 * alpha;
        if (n.fixed) { n.vx = 0; n.vy = 0; return; }
        n.vx *= 0.82; n.vy *= 0.82;
        n.x = Math.max(20, Math.min(width - 20, n.x + n.vx));
        n.y = Math.max(20, Math.min(height - 20, n.y + n.vy));
      });
      alpha *= 0.975;
    }
    function render() {
      links.forEach(function (l) {
        l.el.setAttribute("x1", l.s.x.toFixed(1)); l.el.setAttribute("y1", l.s.y.toFixed(1));
        l.el.setAttribute("x2", l.t.x.toFixed(1)); l.el.setAttribute("y2", l.t.y.toFixed(1));
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
