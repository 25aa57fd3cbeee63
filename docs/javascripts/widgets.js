// Interactive widgets of the CNN pages: a receptive-field calculator (DL0010) and a pooling
// playground (DL0009); and keyboard access to tables that scroll sideways. Plain JavaScript, no
// framework, nothing from another origin.
//
// The computations mirror snippets/receptive_field.py and snippets/pooling.py (PyTorch
// semantics); the browser tests feed both the same test vectors, which the Python snippets
// write at build time. What a reader types is data: it is parsed as numbers, validated and
// capped, and only ever reaches the page through textContent and DOM nodes, never as markup.
(function () {
  "use strict";

  // ---------------------------------------------------------------- receptive field (DL0010)
  var RF_LIMITS = { layers: 64, kernel: [1, 64], stride: [1, 8], padding: [0, 64], dilation: [1, 32], input: [1, 2048] };
  var KINDS = ["conv", "maxpool", "avgpool"];

  function keff(layer) {
    return layer.dilation * (layer.kernel - 1) + 1;
  }

  // One {size, stride, padding} per layer, input → output (the recurrence of the page).
  function receptiveField(layers) {
    var size = 1, stride = 1, padding = 0;
    return layers.map(function (layer) {
      size += (keff(layer) - 1) * stride;
      padding += layer.padding * stride;
      stride *= layer.stride;
      return { size: size, stride: stride, padding: padding };
    });
  }

  // Output length of every layer (floor, as in PyTorch); throws if a layer has no output.
  function outputSizes(layers, inputSize) {
    var n = inputSize;
    return layers.map(function (layer, i) {
      var span = n + 2 * layer.padding - keff(layer);
      if (span < 0) throw new Error("layer " + (i + 1) + " has no output for this input size");
      n = Math.floor(span / layer.stride) + 1;
      return n;
    });
  }

  // Input pixels [first, last] seen by output `index` of the last layer, clipped to the image.
  function fieldOf(fields, index, inputSize) {
    var f = fields[fields.length - 1];
    var first = index * f.stride - f.padding;
    var last = first + f.size - 1;
    first = Math.max(first, 0);
    last = Math.min(last, inputSize - 1);
    return first <= last ? [first, last] : null;
  }

  // An error message for a layer, or null: the same rules as snippets/receptive_field.Layer.
  function layerError(layer) {
    if (KINDS.indexOf(layer.kind) < 0) return "kind must be conv, maxpool or avgpool";
    var names = ["kernel", "stride", "padding", "dilation"];
    for (var i = 0; i < names.length; i++) {
      var v = layer[names[i]], lim = RF_LIMITS[names[i]];
      if (!Number.isInteger(v) || v < lim[0] || v > lim[1]) {
        return names[i] + " must be a whole number from " + lim[0] + " to " + lim[1];
      }
    }
    if (layer.kind !== "conv" && layer.padding > Math.floor(keff(layer) / 2)) {
      return "padding of a pooling layer must be at most half its kernel (" + Math.floor(keff(layer) / 2) + ")";
    }
    return null;
  }

  // -------------------------------------------------------------------- pooling (DL0009)
  var POOL_LIMITS = { size: [1, 8], value: [-999, 999], kernel: [1, 8], stride: [1, 8] };

  function poolOutSize(L, k, s, p, ceilMode) {
    var span = L + 2 * p - k;
    var out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceilMode && (out - 1) * s >= L + p) out -= 1; // the last window starts inside
    return Math.max(out, 0);
  }

  function zeros(h, w) {
    var m = [];
    for (var i = 0; i < h; i++) m.push(new Array(w).fill(0));
    return m;
  }

  function poolShape(x, k, s, p, ceilMode) {
    var H = x.length, W = x[0].length;
    var oh = poolOutSize(H, k[0], s[0], p[0], ceilMode), ow = poolOutSize(W, k[1], s[1], p[1], ceilMode);
    if (oh < 1 || ow < 1) throw new Error("the kernel does not fit in the padded input");
    return [H, W, oh, ow];
  }

  // Max pooling; padding never wins; a tie keeps the first maximum in row-major order.
  function maxPool(x, k, s, p, ceilMode) {
    var sh = poolShape(x, k, s, p, ceilMode), y = zeros(sh[2], sh[3]), arg = [];
    for (var a = 0; a < sh[2]; a++) {
      arg.push([]);
      for (var b = 0; b < sh[3]; b++) {
        var best = -Infinity, at = null;
        for (var i = 0; i < k[0]; i++) {
          for (var j = 0; j < k[1]; j++) {
            var r = a * s[0] - p[0] + i, c = b * s[1] - p[1] + j;
            if (r < 0 || c < 0 || r >= sh[0] || c >= sh[1]) continue;
            if (x[r][c] > best) { best = x[r][c]; at = [r, c]; }
          }
        }
        y[a][b] = best;
        arg[a].push(at);
      }
    }
    return { y: y, arg: arg };
  }

  function maxPoolBackward(dy, x, k, s, p, ceilMode) {
    var f = maxPool(x, k, s, p, ceilMode), g = zeros(x.length, x[0].length);
    f.arg.forEach(function (row, a) {
      row.forEach(function (at, b) { g[at[0]][at[1]] += dy[a][b]; });
    });
    return g;
  }

  // PyTorch's windows: the divisor counts padding cells (count_include_pad) or only input cells.
  function avgWindows(H, W, k, s, p, oh, ow, include) {
    var wins = [];
    for (var a = 0; a < oh; a++) {
      for (var b = 0; b < ow; b++) {
        var h0 = a * s[0] - p[0], w0 = b * s[1] - p[1];
        var h1 = Math.min(h0 + k[0], H + p[0]), w1 = Math.min(w0 + k[1], W + p[1]);
        var poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, H); w1 = Math.min(w1, W);
        wins.push({ a: a, b: b, h0: h0, h1: h1, w0: w0, w1: w1, div: include ? poolSize : (h1 - h0) * (w1 - w0) });
      }
    }
    return wins;
  }

  function avgPool(x, k, s, p, ceilMode, include) {
    var sh = poolShape(x, k, s, p, ceilMode), y = zeros(sh[2], sh[3]);
    avgWindows(sh[0], sh[1], k, s, p, sh[2], sh[3], include).forEach(function (w) {
      var sum = 0;
      for (var r = w.h0; r < w.h1; r++) for (var c = w.w0; c < w.w1; c++) sum += x[r][c];
      y[w.a][w.b] = sum / w.div;
    });
    return y;
  }

  function avgPoolBackward(dy, shape, k, s, p, ceilMode, include) {
    var x = zeros(shape[0], shape[1]), sh = poolShape(x, k, s, p, ceilMode), g = zeros(shape[0], shape[1]);
    avgWindows(sh[0], sh[1], k, s, p, sh[2], sh[3], include).forEach(function (w) {
      for (var r = w.h0; r < w.h1; r++) for (var c = w.w0; c < w.w1; c++) g[r][c] += dy[w.a][w.b] / w.div;
    });
    return g;
  }

  // ------------------------------------------------------------------------- DOM helpers
  var uid = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // A labelled number input with its own inline error message.
  function numberField(label, value, min, max, onInput) {
    var id = "mliq-w" + (++uid);
    var input = el("input", { type: "number", id: id, min: String(min), max: String(max), step: "1", value: String(value), inputmode: "numeric" });
    var error = el("span", { class: "widget-error", id: id + "-error", "aria-live": "polite" });
    input.setAttribute("aria-describedby", error.id);
    input.addEventListener("input", onInput);
    var wrap = el("span", { class: "widget-field" }, [el("label", { for: id, text: label }), input, error]);
    return { wrap: wrap, input: input, error: error };
  }

  // The input's value as a whole number in [min, max], or null with the message shown.
  function readInt(field, min, max, what) {
    var raw = field.input.value.trim(), v = Number(raw);
    var ok = raw !== "" && Number.isInteger(v) && v >= min && v <= max;
    field.error.textContent = ok ? "" : what + ": a whole number from " + min + " to " + max;
    field.input.setAttribute("aria-invalid", ok ? "false" : "true");
    return ok ? v : null;
  }

  function table(headers, rows, caption) {
    var head = el("tr", {}, headers.map(function (h) { return el("th", { scope: "col", text: h }); }));
    var body = rows.map(function (r) { return el("tr", {}, r.map(function (c) { return el("td", { text: String(c) }); })); });
    // tabindex: a wide table scrolls, and a scrolling region must be reachable by keyboard
    var t = el("table", { tabindex: "0" }, [el("caption", { text: caption }), el("thead", {}, [head]), el("tbody", {}, body)]);
    return t;
  }

  function fmt(v) {
    var r = Math.round(v * 1000) / 1000;
    return Object.is(r, -0) ? "0" : String(r);
  }

  // -------------------------------------------------------------- receptive-field widget
  function buildReceptiveField(root, data) {
    var rows = [];
    var list = el("div", { class: "widget-layers", role: "group", "aria-label": "Layers, input first" });
    var status = el("p", { class: "widget-status", "aria-live": "polite" });
    var results = el("div", { class: "widget-results" });
    var svgBox = el("div", { class: "widget-grid", role: "img" });
    var inputField = numberField("Input size (pixels)", 32, RF_LIMITS.input[0], RF_LIMITS.input[1], update);
    var indexField = numberField("Output index", 0, 0, 4096, update);

    function addRow(layer) {
      if (rows.length >= RF_LIMITS.layers) {
        status.textContent = "At most " + RF_LIMITS.layers + " layers.";
        return;
      }
      var row = { kind: null, fields: {} };
      var kindId = "mliq-w" + (++uid);
      row.kind = el("select", { id: kindId });
      KINDS.forEach(function (k) { row.kind.appendChild(el("option", { value: k, text: k })); });
      row.kind.value = layer.kind;
      row.kind.addEventListener("change", update);
      row.node = el("div", { class: "widget-row" }, [
        el("span", { class: "widget-field" }, [el("label", { for: kindId, text: "Layer" }), row.kind]),
      ]);
      ["kernel", "stride", "padding", "dilation"].forEach(function (name) {
        var f = numberField(name, layer[name], RF_LIMITS[name][0], RF_LIMITS[name][1], update);
        row.fields[name] = f;
        row.node.appendChild(f.wrap);
      });
      var remove = el("button", { type: "button", class: "md-button widget-small", text: "Remove" });
      remove.addEventListener("click", function () {
        rows.splice(rows.indexOf(row), 1);
        list.removeChild(row.node);
        update();
      });
      row.node.appendChild(remove);
      row.error = el("span", { class: "widget-error", "aria-live": "polite" });
      row.node.appendChild(row.error);
      rows.push(row);
      list.appendChild(row.node);
    }

    function setLayers(layers) {
      rows.slice().forEach(function (row) { list.removeChild(row.node); });
      rows.length = 0;
      layers.slice(0, RF_LIMITS.layers).forEach(addRow);
      update();
    }

    function readLayers() {
      var layers = [], ok = true;
      rows.forEach(function (row, i) {
        var layer = { kind: row.kind.value };
        ["kernel", "stride", "padding", "dilation"].forEach(function (name) {
          var v = readInt(row.fields[name], RF_LIMITS[name][0], RF_LIMITS[name][1], name);
          if (v === null) ok = false;
          layer[name] = v;
        });
        var msg = ok ? layerError(layer) : null;
        row.error.textContent = msg ? "Layer " + (i + 1) + ": " + msg : "";
        if (msg) ok = false;
        layers.push(layer);
      });
      return ok ? layers : null;
    }

    function update() {
      results.replaceChildren();
      svgBox.replaceChildren();
      var layers = readLayers();
      var n = readInt(inputField, RF_LIMITS.input[0], RF_LIMITS.input[1], "input size");
      if (!rows.length) { status.textContent = "Add a layer."; return; }
      if (!layers || n === null) { status.textContent = "Fix the marked fields."; return; }
      var fields = receptiveField(layers), sizes;
      try { sizes = outputSizes(layers, n); } catch (err) { status.textContent = err.message + "."; return; }
      var last = sizes[sizes.length - 1];
      var index = readInt(indexField, 0, last - 1, "output index");
      results.appendChild(table(
        ["Layer", "Kind", "k, s, p, d", "Field size", "Cumulative stride", "Effective padding", "Output size"],
        fields.map(function (f, i) {
          var l = layers[i];
          return [i + 1, l.kind, [l.kernel, l.stride, l.padding, l.dilation].join(", "), f.size, f.stride, f.padding, sizes[i]];
        }),
        "Receptive field after each layer (input pixels)"
      ));
      if (index === null) { status.textContent = "The output index must be below " + last + "."; return; }
      var span = fieldOf(fields, index, n);
      var f = fields[fields.length - 1];
      var start = index * f.stride - f.padding;
      status.textContent = "Output " + index + " of the last layer sees input pixels " + start + " to " +
        (start + f.size - 1) + (span ? "; inside the image: " + span[0] + " to " + span[1] + "." : "; all of it is padding.");
      drawField(svgBox, n, span, [start, start + f.size - 1]);
    }

    function drawField(box, n, span, full) {
      var cells = Math.min(n, 64), scale = cells / n, px = 300 / cells;
      var ns = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 300 300");
      svg.setAttribute("width", "300");
      svg.setAttribute("height", "300");
      svg.setAttribute("aria-hidden", "true");
      function rect(x, y, w, h, cls) {
        var r = document.createElementNS(ns, "rect");
        r.setAttribute("x", x); r.setAttribute("y", y); r.setAttribute("width", w); r.setAttribute("height", h);
        r.setAttribute("class", cls);
        svg.appendChild(r);
      }
      rect(0, 0, 300, 300, "grid-bg");
      if (span) {
        var a = span[0] * scale * px, w = (span[1] - span[0] + 1) * scale * px;
        rect(a, a, Math.max(w, 1), Math.max(w, 1), "grid-field");
      }
      for (var i = 0; i <= cells; i++) {
        rect(i * px, 0, 0.5, 300, "grid-line");
        rect(0, i * px, 300, 0.5, "grid-line");
      }
      box.setAttribute("aria-label", "Input grid of " + n + " by " + n + " pixels" +
        (span ? " with pixels " + span[0] + " to " + span[1] + " highlighted on both axes" : ""));
      box.appendChild(svg);
    }

    var presetId = "mliq-w" + (++uid);
    var preset = el("select", { id: presetId });
    preset.appendChild(el("option", { value: "", text: "Choose a network…" }));
    (data.presets || []).forEach(function (p, i) { preset.appendChild(el("option", { value: String(i), text: p.name })); });
    preset.addEventListener("change", function () {
      if (preset.value !== "") setLayers(data.presets[Number(preset.value)].layers);
    });
    var add = el("button", { type: "button", class: "md-button widget-small", text: "Add layer" });
    add.addEventListener("click", function () { addRow({ kind: "conv", kernel: 3, stride: 1, padding: 1, dilation: 1 }); update(); });

    root.replaceChildren(
      el("div", { class: "widget-controls" }, [
        el("span", { class: "widget-field" }, [el("label", { for: presetId, text: "Preset" }), preset]),
        inputField.wrap, indexField.wrap, add,
      ]),
      list, status, results, svgBox
    );
    setLayers(data.presets && data.presets.length ? data.presets[0].layers : [{ kind: "conv", kernel: 3, stride: 1, padding: 1, dilation: 1 }]);
  }

  // ---------------------------------------------------------------- pooling playground
  function buildPooling(root) {
    var size = 4;
    var values = [[1, 3, 2, 9], [5, 6, 1, 7], [4, 2, 8, 1], [0, 3, 5, 4]];
    var gridBox = el("div", { class: "widget-input-grid", role: "group", "aria-label": "Input values" });
    var status = el("p", { class: "widget-status", "aria-live": "polite" });
    var out = el("div", { class: "widget-results" });
    var sizeField = numberField("Grid size", size, POOL_LIMITS.size[0], POOL_LIMITS.size[1], resize);
    var kField = numberField("Kernel", 2, POOL_LIMITS.kernel[0], POOL_LIMITS.kernel[1], update);
    var sField = numberField("Stride", 2, POOL_LIMITS.stride[0], POOL_LIMITS.stride[1], update);
    var pField = numberField("Padding", 0, 0, 4, update);
    var ceilId = "mliq-w" + (++uid), inclId = "mliq-w" + (++uid);
    var ceil = el("input", { type: "checkbox", id: ceilId });
    var incl = el("input", { type: "checkbox", id: inclId });
    incl.checked = true;
    ceil.addEventListener("change", update);
    incl.addEventListener("change", update);
    var cellFields = [];

    function resize() {
      var n = readInt(sizeField, POOL_LIMITS.size[0], POOL_LIMITS.size[1], "grid size");
      if (n === null) { status.textContent = "Fix the marked fields."; return; }
      size = n;
      gridBox.replaceChildren();
      cellFields = [];
      for (var r = 0; r < size; r++) {
        var row = el("div", { class: "widget-cells" });
        for (var c = 0; c < size; c++) {
          var v = values[r] && values[r][c] !== undefined ? values[r][c] : 0;
          var f = numberField("x[" + r + "," + c + "]", v, POOL_LIMITS.value[0], POOL_LIMITS.value[1], update);
          f.wrap.classList.add("widget-cell");
          cellFields.push({ r: r, c: c, f: f });
          row.appendChild(f.wrap);
        }
        gridBox.appendChild(row);
      }
      update();
    }

    function grid(m, caption) {
      return table(m[0].map(function (_, j) { return "col " + j; }), m.map(function (row) { return row.map(fmt); }), caption);
    }

    function update() {
      out.replaceChildren();
      var ok = true, x = [];
      for (var r = 0; r < size; r++) x.push(new Array(size).fill(0));
      cellFields.forEach(function (cf) {
        var v = readInt(cf.f, POOL_LIMITS.value[0], POOL_LIMITS.value[1], "value");
        if (v === null) ok = false; else x[cf.r][cf.c] = v;
        if (!values[cf.r]) values[cf.r] = [];
        if (v !== null) values[cf.r][cf.c] = v;
      });
      var k = readInt(kField, POOL_LIMITS.kernel[0], POOL_LIMITS.kernel[1], "kernel");
      var s = readInt(sField, POOL_LIMITS.stride[0], POOL_LIMITS.stride[1], "stride");
      var pMax = k === null ? 0 : Math.floor(k / 2);
      var p = readInt(pField, 0, pMax, "padding (at most half the kernel)");
      if (!ok || k === null || s === null || p === null) { status.textContent = "Fix the marked fields."; return; }
      var kk = [k, k], ss = [s, s], pp = [p, p];
      var ym, ya;
      try {
        ym = maxPool(x, kk, ss, pp, ceil.checked);
        ya = avgPool(x, kk, ss, pp, ceil.checked, incl.checked);
      } catch (err) {
        status.textContent = err.message + ".";
        return;
      }
      var ones = ym.y.map(function (row) { return row.map(function () { return 1; }); });
      status.textContent = "Output " + ym.y.length + " × " + ym.y[0].length + ". The gradient grids use an upstream gradient of 1 per output.";
      out.append(
        grid(ym.y, "Max pooling output"),
        grid(ya, "Average pooling output"),
        grid(maxPoolBackward(ones, x, kk, ss, pp, ceil.checked), "Max: gradient reaching each input (windows won)"),
        grid(avgPoolBackward(ones, [size, size], kk, ss, pp, ceil.checked, incl.checked), "Average: gradient reaching each input")
      );
    }

    root.replaceChildren(
      el("div", { class: "widget-controls" }, [
        sizeField.wrap, kField.wrap, sField.wrap, pField.wrap,
        el("span", { class: "widget-field" }, [ceil, el("label", { for: ceilId, text: "ceil_mode" })]),
        el("span", { class: "widget-field" }, [incl, el("label", { for: inclId, text: "count_include_pad" })]),
      ]),
      gridBox, status, out
    );
    resize();
  }

  // ------------------------------------------------------------------------------ wiring
  // A widget is built when it comes near the screen, not while the page loads: a phone spends
  // its first seconds on what the reader sees. (The stylesheet reserves the widget's height.)
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      build(entry.target);
    });
  }, { rootMargin: "600px 0px" }) : null;

  function mount() {
    document.querySelectorAll("[data-widget]:not([data-mounted])").forEach(function (root) {
      root.setAttribute("data-mounted", "1");
      if (observer) observer.observe(root); else build(root);
    });
  }

  // printing shows every widget built, wherever the reader had scrolled
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-widget][data-mounted]:not([data-built])").forEach(function (root) {
      if (observer) observer.unobserve(root);
      build(root);
    });
  });

  function build(root) {
    if (root.hasAttribute("data-built")) return;
    root.setAttribute("data-built", "1");
    var kind = root.getAttribute("data-widget");
    if (kind === "pooling") { buildPooling(root); return; }
    if (kind === "receptive-field") {
      var src = root.getAttribute("data-src");
      fetch(new URL(src, window.location.href))
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { buildReceptiveField(root, data); })
        .catch(function () { buildReceptiveField(root, { presets: [] }); });
    }
  }

  // A table wider than the column scrolls inside Material's wrapper; keyboard users must be
  // able to reach and scroll it too (WCAG 2.1.1): such a wrapper becomes a labelled, focusable
  // region. Checked again when the window changes size, since that decides what overflows.
  function focusableScrollRegions() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  var regionsTimer = null;
  function scheduleRegions() {
    window.clearTimeout(regionsTimer);
    regionsTimer = window.setTimeout(focusableScrollRegions, 100);
  }
  window.addEventListener("resize", scheduleRegions);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(scheduleRegions);

  window.MLIQ = {
    rf: { receptiveField: receptiveField, outputSizes: outputSizes, fieldOf: fieldOf, layerError: layerError },
    pool: { outSize: poolOutSize, maxPool: function (x, k, s, p, c) { return maxPool(x, k, s, p, c).y; }, avgPool: avgPool, maxPoolBackward: maxPoolBackward, avgPoolBackward: avgPoolBackward },
  };

  function onPage() {
    mount();
    // after Material's own subscribers have wrapped the tables
    window.requestAnimationFrame(focusableScrollRegions);
  }
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
