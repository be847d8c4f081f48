// The interactive network page of ptmkg, drawn with sigma.js (WebGL) on a graphology graph.
// The layout is ForceAtlas2, computed once before the first draw from seeded starting
// positions, so the same network always opens the same way; sigma fits it to the window.
// Everything shown comes from the JSON block #network-data and reaches the page through
// textContent or canvas text, never parsed as HTML.
(function () {
  "use strict";
  var started = performance.now();
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var GraphClass = graphology.Graph || graphology;
  var forceAtlas2 = graphologyLibrary.layoutForceAtlas2;
  var SigmaClass = typeof Sigma === "function" ? Sigma : Sigma.Sigma || Sigma.default;

  var container = document.getElementById("network");
  var tooltip = document.getElementById("tooltip");
  var legend = document.getElementById("legend");
  var colourSelect = document.getElementById("colour-by");
  var labelSelect = document.getElementById("labels");
  var patternSelect = document.getElementById("pattern");
  var stageSelect = document.getElementById("stage-filter");
  var search = document.getElementById("search");
  var searchCount = document.getElementById("search-count");
  var shownCount = document.getElementById("shown-count");

  var SMALLEST = 3, LARGEST = 16;  // node radius in pixels at the opening zoom
  var LABEL_SIZE = 12;             // label font size in pixels, whatever the zoom

  // ------------------------------------------------------------ the graph

  var maxPapers = 1, maxWeight = 1;
  data.nodes.forEach(function (n) { maxPapers = Math.max(maxPapers, n.papers || 0); });
  data.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight || 0); });
  function sizeOf(papers) {
    return SMALLEST + (LARGEST - SMALLEST) * Math.sqrt(Math.max(papers || 0, 0) / maxPapers);
  }
  function colourOf(n, by) {
    if (by === "type") return data.typeColours[n.type] || data.otherColour;
    return data.fieldColours[n.main_field] || data.otherColour;
  }

  // A small seeded generator: the same page always starts the layout from the same place.
  var seed = 42;
  function random() {
    seed = (seed + 0x6d2b79f5) | 0;
    var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  var graph = new GraphClass({ type: "undirected", multi: false, allowSelfLoops: true });
  var spread = 10 * Math.sqrt(Math.max(data.nodes.length, 1));
  var start = [];
  data.nodes.forEach(function (n, i) {
    var angle = 2 * Math.PI * random(), radius = spread * Math.sqrt(random());
    start.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
    graph.addNode(String(i), {
      x: start[i][0], y: start[i][1],
      label: n.label, size: sizeOf(n.papers), color: colourOf(n, data.colourBy),
      index: i,
    });
  });
  data.edges.forEach(function (e, i) {
    if (graph.hasEdge(String(e.s), String(e.t))) return;
    graph.addEdgeWithKey(String(i), String(e.s), String(e.t), {
      weight: e.weight || 1,
      size: 0.5 + 2.5 * Math.sqrt((e.weight || 1) / maxWeight),
      color: "#c8c8c8",
      index: i,
    });
  });

  // ------------------------------------------------------------ the layout, once

  var layoutStarted = performance.now();
  var order = graph.order;
  var settings = forceAtlas2.inferSettings(graph);
  // Strong gravity keeps small components and lone nodes near the big one, so fitting
  // the whole network to the window never shrinks the big component to a dot.
  settings.strongGravityMode = true;
  settings.gravity = 0.05;
  // "Dissuade hubs": a hub attracts less, so hubs spread to the rim and their leaves
  // fan out between them instead of piling up on the hub.
  settings.outboundAttractionDistribution = true;
  settings.barnesHutOptimize = order > 800;
  var iterations = order <= 200 ? 400 : order <= 1000 ? 200 : order <= 3000 ? 120 : 80;
  if (order > 1) {
    forceAtlas2.assign(graph, { iterations: iterations, settings: settings,
      getEdgeWeight: "weight" });
  }
  var repaired = 0;
  graph.forEachNode(function (node, attributes) {
    if (!isFinite(attributes.x) || !isFinite(attributes.y)) {
      var i = attributes.index;
      graph.mergeNodeAttributes(node, { x: start[i][0], y: start[i][1] });
      repaired += 1;
    }
  });
  var layoutMs = performance.now() - layoutStarted;

  // ------------------------------------------------------------ what is shown

  var state = {
    colourBy: data.colourBy,
    hovered: null,
    neighbours: null,
    matches: null,
    pattern: "",
    stage: "",
    hiddenEdges: null,
    hiddenNodes: null,
  };

  function nodeReducer(node, attributes) {
    var shown = Object.assign({}, attributes);
    if (state.hiddenNodes && state.hiddenNodes[node]) { shown.hidden = true; return shown; }
    if (state.matches) {
      if (state.matches[node]) { shown.highlighted = true; shown.forceLabel = true; }
      else { shown.color = "#e4e4e4"; shown.label = ""; }
    }
    if (state.hovered) {
      if (node === state.hovered || state.neighbours[node]) shown.forceLabel = true;
      else { shown.color = "#e4e4e4"; shown.label = ""; }
    }
    return shown;
  }
  function edgeReducer(edge, attributes) {
    var shown = Object.assign({}, attributes);
    if (state.hiddenEdges && state.hiddenEdges[edge]) { shown.hidden = true; return shown; }
    if (state.hovered && !graph.hasExtremity(edge, state.hovered)) shown.hidden = true;
    else if (state.hovered) shown.color = "#777";
    return shown;
  }

  // Labels never overlap: each frame, a label is tried right, left, above and below its
  // node, and one whose box would cross a label already drawn, or leave the window, in
  // all four is skipped. Sigma offers them forced ones first (search matches, a hovered
  // node's neighbours), then biggest node first. A white halo keeps them readable.
  var labelBoxes = [];
  function labelSpots(node, width, size) {
    var gap = node.size + 3, rise = size / 3;
    return [
      [node.x + gap, node.y + rise],
      [node.x - gap - width, node.y + rise],
      [node.x - width / 2, node.y - gap - size * 0.2],
      [node.x - width / 2, node.y + gap + size * 0.8],
    ];
  }
  function drawLabel(context, node, settings) {
    if (!node.label) return;
    var size = settings.labelSize;
    context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
    var width = context.measureText(node.label).width;
    var right = container.clientWidth, bottom = container.clientHeight;
    var spots = labelSpots(node, width, size);
    for (var s = 0; s < spots.length; s += 1) {
      var x = spots[s][0], y = spots[s][1];
      var box = { x0: x - 1, y0: y - size * 0.8, x1: x + width + 1, y1: y + size * 0.3 };
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > right || box.y1 > bottom) continue;
      var free = true;
      for (var i = 0; i < labelBoxes.length && free; i += 1) {
        var other = labelBoxes[i];
        free = !(box.x0 < other.x1 && other.x0 < box.x1 && box.y0 < other.y1 && other.y0 < box.y1);
      }
      if (!free) continue;
      box.label = node.label;
      labelBoxes.push(box);
      context.lineWidth = 3;
      context.lineJoin = "round";
      context.strokeStyle = "rgba(255,255,255,0.85)";
      context.strokeText(node.label, x, y);
      context.fillStyle = settings.labelColor.color || "#222";
      context.fillText(node.label, x, y);
      return;
    }
  }

  var renderer = new SigmaClass(graph, container, {
    defaultDrawNodeLabel: drawLabel,
    nodeReducer: nodeReducer,
    edgeReducer: edgeReducer,
    labelSize: LABEL_SIZE,
    labelWeight: "500",
    labelFont: "system-ui, sans-serif",
    labelColor: { color: "#222" },
    // Sigma's grid offers the biggest nodes of each patch of the screen; drawLabel keeps
    // those that fit, so a small network offers every label.
    labelDensity: order <= 60 ? 100 : 1,
    labelGridCellSize: 60,
    labelRenderedSizeThreshold: order <= 60 ? 0 : 5,
    hideEdgesOnMove: graph.size > 5000,
    zIndex: true,
    minCameraRatio: 0.02,
    maxCameraRatio: 5,
    allowInvalidContainer: true,
  });

  // ------------------------------------------------------------ hover details

  function row(table, key, value) {
    var tr = document.createElement("tr");
    var k = document.createElement("td");
    k.className = "key";
    k.textContent = key;
    var v = document.createElement("td");
    v.textContent = Array.isArray(value) ? value.join("; ") : String(value);
    tr.appendChild(k);
    tr.appendChild(v);
    table.appendChild(tr);
  }
  function showTooltip(node) {
    var n = data.nodes[graph.getNodeAttribute(node, "index")];
    tooltip.textContent = "";
    var title = document.createElement("div");
    title.className = "title";
    title.textContent = n.label;
    tooltip.appendChild(title);
    var table = document.createElement("table");
    row(table, "type", n.type);
    row(table, "papers", n.papers);
    row(table, "links", n.degree);
    row(table, data.weight || "weight", n.weighted_degree);
    if (n.main_field) row(table, "main field", n.main_field);
    (n.details || []).forEach(function (pair) { row(table, pair[0], pair[1]); });
    tooltip.appendChild(table);
    var at = renderer.framedGraphToViewport(renderer.getNodeDisplayData(node));
    var box = container.getBoundingClientRect();
    tooltip.style.display = "block";
    var left = Math.min(at.x + 14, box.width - tooltip.offsetWidth - 4);
    var top = Math.min(at.y + 14, box.height - tooltip.offsetHeight - 4);
    tooltip.style.left = Math.max(4, left) + "px";
    tooltip.style.top = Math.max(4, top) + "px";
  }
  function hover(node) {
    state.hovered = node;
    state.neighbours = {};
    if (node !== null) {
      graph.forEachNeighbor(node, function (m) { state.neighbours[m] = true; });
      showTooltip(node);
    } else {
      tooltip.style.display = "none";
    }
    renderer.refresh({ skipIndexation: true });
  }
  renderer.on("beforeRender", function () { labelBoxes = []; });
  renderer.on("enterNode", function (event) { hover(event.node); });
  renderer.on("leaveNode", function () { hover(null); });

  // ------------------------------------------------------------ search

  function find(text) {
    var query = text.trim().toLowerCase();
    var found = [];
    if (query) {
      graph.forEachNode(function (node, attributes) {
        if (state.hiddenNodes && state.hiddenNodes[node]) return;
        if (attributes.label.toLowerCase().indexOf(query) >= 0) found.push(node);
      });
    }
    // The most connected match first: that is where the camera goes.
    found.sort(function (a, b) { return graph.degree(b) - graph.degree(a); });
    state.matches = null;
    if (query) {
      state.matches = {};
      found.forEach(function (node) { state.matches[node] = true; });
    }
    searchCount.textContent = query ? found.length + " found" : "";
    if (found.length) {
      var shown = renderer.getNodeDisplayData(found[0]);
      renderer.getCamera().animate({ x: shown.x, y: shown.y, ratio: 0.35 }, { duration: 300 });
    }
    renderer.refresh({ skipIndexation: true });
    return found.map(function (node) { return graph.getNodeAttribute(node, "label"); });
  }
  search.addEventListener("input", function () { find(search.value); });

  // ------------------------------------------------------------ filters

  function applyFilters() {
    state.pattern = patternSelect.value;
    state.stage = stageSelect.value;
    if (!state.pattern && !state.stage) {
      state.hiddenEdges = state.hiddenNodes = null;
    } else {
      state.hiddenEdges = {};
      var touched = {};
      graph.forEachEdge(function (edge, attributes, source, target) {
        var on = data.edges[attributes.index].on || [];
        var keep = (!state.pattern || on.indexOf(state.pattern) >= 0) &&
          (!state.stage || on.indexOf(state.stage) >= 0);
        if (keep) { touched[source] = touched[target] = true; }
        else state.hiddenEdges[edge] = true;
      });
      state.hiddenNodes = {};
      graph.forEachNode(function (node) { if (!touched[node]) state.hiddenNodes[node] = true; });
    }
    countShown();
    renderer.refresh({ skipIndexation: true });
  }
  function fillFilter(select, options) {
    options.forEach(function (option) {
      var element = document.createElement("option");
      element.value = option[0];
      element.textContent = option[1];
      select.appendChild(element);
    });
    if (!options.length) {
      select.disabled = true;
      select.title = "this network's links do not record patterns or stages: build it with " +
        "--pattern or --stage instead";
    }
  }
  fillFilter(patternSelect, data.patterns);
  fillFilter(stageSelect, data.stages);
  patternSelect.addEventListener("change", applyFilters);
  stageSelect.addEventListener("change", applyFilters);

  function countShown() {
    var nodes = graph.order, edges = graph.size;
    if (state.hiddenNodes) nodes -= Object.keys(state.hiddenNodes).length;
    if (state.hiddenEdges) edges -= Object.keys(state.hiddenEdges).length;
    shownCount.textContent = "showing " + nodes.toLocaleString("en") + " nodes, " +
      edges.toLocaleString("en") + " links";
    container.setAttribute("data-shown-nodes", nodes);
  }

  // ------------------------------------------------------------ legends

  function swatch(parent, colour, text, diameter) {
    var line = document.createElement("div");
    var dot = document.createElement("span");
    dot.className = "swatch";
    dot.style.background = colour;
    if (diameter) {
      dot.style.width = dot.style.height = diameter.toFixed(1) + "px";
    }
    var label = document.createElement("span");
    label.textContent = text;
    line.appendChild(dot);
    line.appendChild(label);
    parent.appendChild(line);
  }
  function drawLegend() {
    legend.textContent = "";
    var colours = document.createElement("div");
    colours.className = "colours";
    if (state.colourBy === "type") {
      data.types.forEach(function (type) {
        swatch(colours, data.typeColours[type] || data.otherColour, type);
      });
    } else {
      Object.keys(data.fieldColours).forEach(function (name) {
        swatch(colours, data.fieldColours[name], name);
      });
      swatch(colours, data.otherColour, "no field");
    }
    legend.appendChild(colours);
    var sizes = document.createElement("div");
    sizes.className = "sizes";
    var heading = document.createElement("div");
    heading.className = "heading";
    heading.textContent = "size: papers";
    sizes.appendChild(heading);
    var steps = [maxPapers, Math.round(maxPapers / 4), 1].filter(function (v, i, all) {
      return v >= 1 && all.indexOf(v) === i;
    });
    steps.forEach(function (papers) {
      swatch(sizes, "#bbb", papers.toLocaleString("en") + (papers === 1 ? " paper" : " papers"),
        2 * sizeOf(papers));
    });
    legend.appendChild(sizes);
  }
  colourSelect.value = state.colourBy;
  colourSelect.addEventListener("change", function () {
    state.colourBy = colourSelect.value;
    graph.forEachNode(function (node, attributes) {
      graph.setNodeAttribute(node, "color", colourOf(data.nodes[attributes.index], state.colourBy));
    });
    drawLegend();
  });
  labelSelect.addEventListener("change", function () {
    var choice = labelSelect.value;
    renderer.setSetting("renderLabels", choice !== "none");
    renderer.setSetting("labelDensity", choice === "all" || order <= 60 ? 100 : 1);
    renderer.setSetting("labelRenderedSizeThreshold", choice === "all" ? 0 : order <= 60 ? 0 : 5);
  });
  document.getElementById("fit").addEventListener("click", function () {
    renderer.getCamera().animatedReset({ duration: 300 });
  });

  drawLegend();
  countShown();

  // ------------------------------------------------------------ for the tests and the benchmark

  window.ptmkg = {
    graph: graph,
    renderer: renderer,
    find: find,
    hover: hover,
    layoutMs: layoutMs,
    iterations: iterations,
    repaired: repaired,
    firstDrawMs: null,
    // What a person would check on opening: every number finite, the drawing fitted to
    // the window, sizes and labels as large as on a readable page.
    check: function () {
      var box = container.getBoundingClientRect();
      var camera = renderer.getCamera().getState();
      var bad = 0, inside = 0, xs = [], ys = [], sizes = [];
      graph.forEachNode(function (node) {
        var shown = renderer.getNodeDisplayData(node);
        if (!shown) return;
        var at = renderer.framedGraphToViewport(shown);
        var size = renderer.scaleSize(shown.size);
        if (![shown.x, shown.y, at.x, at.y, size].every(isFinite)) { bad += 1; return; }
        xs.push(at.x); ys.push(at.y); sizes.push(size);
        if (at.x >= 0 && at.x <= box.width && at.y >= 0 && at.y <= box.height) inside += 1;
      });
      return {
        nodes: graph.order,
        edges: graph.size,
        notFinite: bad,
        inside: inside,
        width: box.width,
        height: box.height,
        spanX: xs.length ? Math.max.apply(null, xs) - Math.min.apply(null, xs) : 0,
        spanY: ys.length ? Math.max.apply(null, ys) - Math.min.apply(null, ys) : 0,
        smallest: sizes.length ? Math.min.apply(null, sizes) : 0,
        largest: sizes.length ? Math.max.apply(null, sizes) : 0,
        camera: camera,
        labelSize: renderer.getSetting("labelSize"),
        labels: labelBoxes.slice(),
        labelsShown: renderer.getNodeDisplayedLabels ? renderer.getNodeDisplayedLabels().size :
          (renderer.displayedNodeLabels ? renderer.displayedNodeLabels.size : -1),
        repaired: repaired,
      };
    },
  };
  renderer.once("afterRender", function () {
    // From the start of navigation (reading the file and its data included) to the first draw.
    window.ptmkg.firstDrawMs = performance.now();
    window.ptmkg.scriptMs = performance.now() - started;
    container.setAttribute("data-node-count", graph.order);
    container.setAttribute("data-rendered", "true");
    document.body.setAttribute("data-rendered", "true");
  });
  renderer.refresh();
})();
