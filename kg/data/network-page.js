// The interactive network page of ptmkg: a small force layout drawn as SVG.
// Everything the page shows comes from the JSON block #network-data and is put
// into the page with textContent or setAttribute, never parsed as HTML.
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var nodes = data.nodes;
  var edges = data.edges;
  var svg = document.getElementById("network");
  var stage = document.getElementById("stage");
  var tooltip = document.getElementById("tooltip");
  var legend = document.getElementById("legend");
  var colourSelect = document.getElementById("colour-by");
  var labelSelect = document.getElementById("labels");
  var search = document.getElementById("search");
  var searchCount = document.getElementById("search-count");

  var view = { k: 1, x: 0, y: 0 };
  var width = 800, height = 600;
  var columns = data.bipartite;  // bipartite networks start as two columns
  var alpha = 0;
  var animating = false;

  function el(name, attributes, parent) {
    var element = document.createElementNS(SVG_NS, name);
    for (var key in attributes) element.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(element);
    return element;
  }

  // ------------------------------------------------------------ sizes, colours

  var maxDegree = 1, maxWeight = 1;
  nodes.forEach(function (n) { maxDegree = Math.max(maxDegree, n.degree); });
  edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight); });
  nodes.forEach(function (n, i) {
    n.index = i;
    n.r = 4 + 14 * Math.sqrt(n.degree / maxDegree);
    n.neighbours = {};
  });
  edges.forEach(function (e) {
    nodes[e.s].neighbours[e.t] = true;
    nodes[e.t].neighbours[e.s] = true;
  });

  function colourOf(n, by) {
    if (by === "type") return data.typeColours[n.type] || data.otherColour;
    return data.fieldColours[n.main_field] || data.otherColour;
  }

  // ------------------------------------------------------------ layout

  var typeOrder = data.types;
  var columnHalfGap = 160;
  function columnX(n) {
    var i = typeOrder.indexOf(n.type);
    return (i <= 0 ? -1 : 1) * columnHalfGap;
  }

  function initialPositions() {
    var golden = Math.PI * (3 - Math.sqrt(5));
    var perColumn = {};
    nodes.forEach(function (n) { perColumn[n.type] = (perColumn[n.type] || 0) + 1; });
    var seen = {};
    var tallest = 0;
    Object.keys(perColumn).forEach(function (t) { tallest = Math.max(tallest, perColumn[t]); });
    // Tall columns (hundreds of nodes) stand further apart, so they stay two columns.
    columnHalfGap = Math.max(160, width * 0.22, tallest * 14 * 0.3);
    nodes.forEach(function (n, i) {
      if (columns) {
        var k = seen[n.type] = (seen[n.type] || 0) + 1;
        var count = perColumn[n.type];
        n.x = columnX(n);
        n.y = (k - 0.5 - count / 2) * Math.max(14, (height - 60) / Math.max(count, 1));
      } else {
        var radius = 12 * Math.sqrt(i + 0.5);
        n.x = radius * Math.cos(i * golden);
        n.y = radius * Math.sin(i * golden);
      }
      n.vx = 0; n.vy = 0;
    });
  }

  function tick() {
    var n = nodes.length, i, j, a, b, dx, dy, d2, d, f;
    var repulsion = columns ? 900 : 1800;
    var reach = Math.pow(Math.max(250, 30 * Math.sqrt(n)), 2);
    for (i = 0; i < n; i++) {
      a = nodes[i];
      for (j = i + 1; j < n; j++) {
        b = nodes[j];
        if (columns && a.type !== b.type) continue;
        dx = b.x - a.x; dy = b.y - a.y;
        d2 = dx * dx + dy * dy;
        if (d2 < 0.01) { dx = (i - j) * 0.1; dy = 0.1; d2 = dx * dx + dy * dy; }
        if (d2 > reach) continue;
        f = repulsion * alpha / d2;
        a.vx -= dx * f; a.vy -= dy * f;
        b.vx += dx * f; b.vy += dy * f;
      }
    }
    var length = columns ? 0 : 70;
    edges.forEach(function (e) {
      a = nodes[e.s]; b = nodes[e.t];
      dx = b.x - a.x; dy = b.y - a.y;
      d = Math.sqrt(dx * dx + dy * dy) || 0.01;
      f = (d - length) / d * alpha * (0.04 + 0.06 * e.weight / maxWeight);
      a.vx += dx * f; a.vy += dy * f;
      b.vx -= dx * f; b.vy -= dy * f;
    });
    separate();
    nodes.forEach(function (node) {
      node.vx -= node.x * 0.04 * alpha;
      node.vy -= node.y * 0.04 * alpha;
      if (node.fixed) { node.vx = 0; node.vy = 0; return; }
      node.vx *= 0.6; node.vy *= 0.6;
      node.x += columns ? 0 : node.vx;
      node.y += node.vy;
      if (columns) node.x = columnX(node);
    });
    alpha *= 0.985;
  }

  // Push overlapping nodes apart: in a column only along y, else along the line between them.
  function separate() {
    var i, j, a, b, dx, dy, d, gap, shift;
    if (columns) {
      typeOrder.forEach(function (type) {
        var column = nodes.filter(function (n) { return n.type === type; });
        column.sort(function (p, q) { return p.y - q.y; });
        for (i = 1; i < column.length; i++) {
          gap = column[i - 1].r + column[i].r + 4;
          if (column[i].y - column[i - 1].y < gap) column[i].y = column[i - 1].y + gap;
        }
      });
      return;
    }
    for (i = 0; i < nodes.length; i++) {
      a = nodes[i];
      for (j = i + 1; j < nodes.length; j++) {
        b = nodes[j];
        dx = b.x - a.x; dy = b.y - a.y;
        gap = a.r + b.r + 3;
        if (Math.abs(dx) >= gap || Math.abs(dy) >= gap) continue;
        d = Math.sqrt(dx * dx + dy * dy) || 0.01;
        if (d >= gap) continue;
        shift = (gap - d) / d / 2;
        a.x -= dx * shift; a.y -= dy * shift;
        b.x += dx * shift; b.y += dy * shift;
      }
    }
  }

  function settle(ticks) {
    alpha = 1;
    for (var t = 0; t < ticks && alpha > 0.005; t++) tick();
  }

  // ------------------------------------------------------------ drawing

  var viewport = el("g", { id: "viewport" }, svg);
  var edgeLayer = el("g", { id: "edges" }, viewport);
  var nodeLayer = el("g", { id: "nodes" }, viewport);

  edges.forEach(function (e) {
    e.line = el("line", {
      "class": "edge",
      "stroke-width": (0.8 + 5 * e.weight / maxWeight).toFixed(2)
    }, edgeLayer);
    e.line.addEventListener("mouseenter", function (event) { showEdge(e, event); });
    e.line.addEventListener("mousemove", moveTooltip);
    e.line.addEventListener("mouseleave", hideTooltip);
  });

  var byDegree = nodes.slice().sort(function (a, b) {
    return b.degree - a.degree || b.weighted_degree - a.weighted_degree;
  });
  byDegree.forEach(function (n, rank) { n.rank = rank; });

  nodes.forEach(function (n) {
    n.group = el("g", { "class": "node", "data-type": n.type, "data-index": String(n.index) }, nodeLayer);
    n.circle = el("circle", { r: n.r.toFixed(2) }, n.group);
    n.text = el("text", { dy: "0.35em" }, n.group);
    n.text.textContent = n.label;
    n.group.addEventListener("mouseenter", function (event) { showNode(n, event); });
    n.group.addEventListener("mousemove", moveTooltip);
    n.group.addEventListener("mouseleave", hideTooltip);
    n.group.addEventListener("pointerdown", function (event) { startNodeDrag(n, event); });
  });

  function placeLabels() {
    var mode = labelSelect.value;
    var shown = nodes.length <= 80 ? nodes.length : 30;
    nodes.forEach(function (n) {
      var visible = mode === "all" || (mode === "top" && n.rank < shown);
      n.text.setAttribute("class", visible ? "" : "hidden");
      var leftSide = columns && typeOrder.indexOf(n.type) <= 0;
      n.text.setAttribute("x", String(leftSide ? -(n.r + 4) : n.r + 4));
      n.text.setAttribute("text-anchor", leftSide ? "end" : "start");
    });
  }

  function colour() {
    var by = colourSelect.value;
    nodes.forEach(function (n) { n.circle.setAttribute("fill", colourOf(n, by)); });
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    var entries = [];
    if (by === "type") {
      typeOrder.forEach(function (t) { entries.push([t, data.typeColours[t] || data.otherColour]); });
    } else {
      Object.keys(data.fieldColours).forEach(function (f) { entries.push([f, data.fieldColours[f]]); });
      entries.push(["other or no field", data.otherColour]);
    }
    entries.forEach(function (entry) {
      var row = document.createElement("div");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = entry[1];
      var name = document.createElement("span");
      name.textContent = entry[0];
      row.appendChild(swatch);
      row.appendChild(name);
      legend.appendChild(row);
    });
  }

  var drawnScale = null;
  function render() {
    viewport.setAttribute("transform",
      "translate(" + view.x.toFixed(2) + "," + view.y.toFixed(2) + ") scale(" + view.k.toFixed(4) + ")");
    if (view.k !== drawnScale) {
      // Zoomed far out, nodes keep at least 1.5 pixels of radius so they stay visible.
      drawnScale = view.k;
      nodes.forEach(function (n) {
        n.circle.setAttribute("r", Math.max(n.r, 1.5 / view.k).toFixed(2));
      });
    }
    edges.forEach(function (e) {
      var a = nodes[e.s], b = nodes[e.t];
      e.line.setAttribute("x1", a.x.toFixed(1)); e.line.setAttribute("y1", a.y.toFixed(1));
      e.line.setAttribute("x2", b.x.toFixed(1)); e.line.setAttribute("y2", b.y.toFixed(1));
    });
    nodes.forEach(function (n) {
      n.group.setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")");
    });
  }

  function fit() {
    if (!nodes.length) { view = { k: 1, x: width / 2, y: height / 2 }; render(); return; }
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    nodes.forEach(function (n) {
      var text = n.text.getAttribute("class") === "hidden" ? 0 : 8 + 6.5 * n.label.length;
      var leftSide = columns && typeOrder.indexOf(n.type) <= 0;
      x0 = Math.min(x0, n.x - n.r - (leftSide ? text : 0));
      x1 = Math.max(x1, n.x + n.r + (leftSide ? 0 : text));
      y0 = Math.min(y0, n.y - n.r - 12); y1 = Math.max(y1, n.y + n.r + 12);
    });
    // Keep the nodes clear of the legend in the bottom left corner.
    var free = Math.max(120, height - legend.offsetHeight - 24);
    var k = Math.min((width - 16) / (x1 - x0), free / (y1 - y0), 2.5);
    view = { k: k, x: width / 2 - k * (x0 + x1) / 2, y: 8 + free / 2 - k * (y0 + y1) / 2 };
    render();
  }

  function animate() {
    if (animating) return;
    animating = true;
    function frame() {
      tick(); tick();
      render();
      if (alpha > 0.005) window.requestAnimationFrame(frame);
      else animating = false;
    }
    window.requestAnimationFrame(frame);
  }

  // ------------------------------------------------------------ tooltips

  function tooltipTable(title, rows) {
    while (tooltip.firstChild) tooltip.removeChild(tooltip.firstChild);
    var heading = document.createElement("div");
    heading.className = "title";
    heading.textContent = title;
    tooltip.appendChild(heading);
    var table = document.createElement("table");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var key = document.createElement("td");
      key.className = "key";
      key.textContent = row[0];
      var value = document.createElement("td");
      value.textContent = String(row[1]);
      tr.appendChild(key); tr.appendChild(value);
      table.appendChild(tr);
    });
    tooltip.appendChild(table);
    tooltip.style.display = "block";
  }

  function highlight(keep) {
    nodes.forEach(function (n) { n.group.classList.toggle("faded", keep !== null && !keep[n.index]); });
    edges.forEach(function (e) {
      e.line.classList.toggle("faded", keep !== null && !(keep[e.s] && keep[e.t]));
    });
  }

  function showNode(n, event) {
    if (dragging) return;
    tooltipTable(n.label, [
      ["type", n.type], ["degree", n.degree], ["weighted degree", n.weighted_degree],
      ["papers", n.papers]
    ].concat(n.details));
    var keep = {}; keep[n.index] = true;
    Object.keys(n.neighbours).forEach(function (i) { keep[i] = true; });
    highlight(keep);
    moveTooltip(event);
  }

  function showEdge(e, event) {
    if (dragging) return;
    tooltipTable(nodes[e.s].label + " \u2014 " + nodes[e.t].label,
      [["weight", e.weight + " (" + data.weight + ")"]].concat(e.details));
    moveTooltip(event);
  }

  function moveTooltip(event) {
    var box = stage.getBoundingClientRect();
    var x = event.clientX - box.left + 14, y = event.clientY - box.top + 14;
    if (x + tooltip.offsetWidth > box.width) x = Math.max(0, x - tooltip.offsetWidth - 28);
    if (y + tooltip.offsetHeight > box.height) y = Math.max(0, y - tooltip.offsetHeight - 28);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  function hideTooltip() {
    tooltip.style.display = "none";
    if (!dragging) highlight(null);
  }

  // ------------------------------------------------------------ zoom, pan, drag

  var dragging = null, panning = null;

  function toGraph(event) {
    var box = svg.getBoundingClientRect();
    return { x: (event.clientX - box.left - view.x) / view.k, y: (event.clientY - box.top - view.y) / view.k };
  }

  function startNodeDrag(n, event) {
    event.stopPropagation();
    dragging = n;
    n.fixed = true;
    svg.setPointerCapture(event.pointerId);
  }

  svg.addEventListener("pointerdown", function (event) {
    if (dragging) return;
    panning = { x: event.clientX - view.x, y: event.clientY - view.y };
    svg.classList.add("panning");
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (dragging) {
      var p = toGraph(event);
      dragging.x = columns ? columnX(dragging) : p.x;
      dragging.y = p.y;
      alpha = Math.max(alpha, 0.3);
      render();
      animate();
    } else if (panning) {
      view.x = event.clientX - panning.x;
      view.y = event.clientY - panning.y;
      render();
    }
  });
  function endPointer() {
    if (dragging) { dragging.fixed = false; dragging = null; highlight(null); }
    panning = null;
    svg.classList.remove("panning");
  }
  svg.addEventListener("pointerup", endPointer);
  svg.addEventListener("pointercancel", endPointer);
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = svg.getBoundingClientRect();
    var mx = event.clientX - box.left, my = event.clientY - box.top;
    var factor = Math.exp(-event.deltaY * 0.0015);
    var k = Math.min(40, Math.max(0.05, view.k * factor));
    view.x = mx - (mx - view.x) * (k / view.k);
    view.y = my - (my - view.y) * (k / view.k);
    view.k = k;
    render();
  }, { passive: false });

  // ------------------------------------------------------------ controls

  colourSelect.value = data.colourBy;
  colourSelect.addEventListener("change", colour);
  labelSelect.addEventListener("change", placeLabels);
  document.getElementById("fit").addEventListener("click", fit);
  var layoutButton = document.getElementById("layout");
  layoutButton.textContent = columns ? "free layout" : "re-run layout";
  layoutButton.addEventListener("click", function () {
    if (data.bipartite) {
      columns = !columns;
      layoutButton.textContent = columns ? "free layout" : "two columns";
    }
    initialPositions();
    settle(300);
    placeLabels();
    fit();
  });
  search.addEventListener("input", function () {
    var text = search.value.trim().toLowerCase();
    var count = 0;
    nodes.forEach(function (n) {
      var match = text !== "" && n.label.toLowerCase().indexOf(text) >= 0;
      if (match) count++;
      n.group.classList.toggle("match", match);
      if (match) n.text.setAttribute("class", "");
    });
    searchCount.textContent = text ? count + " found" : "";
    if (!text) placeLabels();
  });

  function resize() {
    var box = svg.getBoundingClientRect();
    width = box.width || 800;
    height = box.height || 600;
  }
  window.addEventListener("resize", function () { resize(); fit(); });

  resize();
  initialPositions();
  settle(nodes.length <= 400 ? 400 : nodes.length <= 1500 ? 150 : 40);
  colour();
  placeLabels();
  fit();
  svg.setAttribute("data-node-count", String(nodes.length));
  svg.setAttribute("data-edge-count", String(edges.length));
  document.body.setAttribute("data-rendered", "true");
})();
