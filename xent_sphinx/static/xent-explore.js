/*
 * xent explorations: live widgets for softmax cross-entropy, binary
 * cross-entropy and the KL divergence. Everything is computed here, in the
 * reader's browser; nothing is fetched.
 *
 * XentExplore.math holds the formulas. They follow xent_ref's stable forms,
 * and tests/site/test_explorations.py checks them against xent_ref at many points,
 * extreme logits included.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  }
  if (root) {
    root.XentExplore = api;
  }
  if (typeof document !== "undefined") {
    var start = function () { api.mountAll(document); };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
})(typeof window !== "undefined" ? window : null, function () {
  "use strict";

  /* ---------------------------------------------------------------- math */

  function argmax(x) {
    var k = 0;
    for (var i = 1; i < x.length; i++) {
      if (x[i] > x[k]) { k = i; }
    }
    return k;
  }

  // The largest entry m and s = sum over the others of exp(x_i - m), so that
  // logsumexp(x) = m + log1p(s). log1p keeps the small terms' contribution
  // when one logit dominates, where m + log(1 + s) would round it away.
  function shifted(x) {
    var k = argmax(x);
    var m = x[k];
    var s = 0;
    for (var i = 0; i < x.length; i++) {
      if (i !== k) { s += Math.exp(x[i] - m); }
    }
    return { k: k, m: m, s: s };
  }

  function logsumexp(x) {
    var t = shifted(x);
    if (!isFinite(t.m)) { return t.m; }
    return t.m + Math.log1p(t.s);
  }

  function logSoftmax(x) {
    var t = shifted(x);
    var tail = Math.log1p(t.s);
    // (x_i - m) - log1p(s): no cancellation against a large m.
    return x.map(function (v) { return (v - t.m) - tail; });
  }

  function softmax(x) {
    var t = shifted(x);
    return x.map(function (v) { return Math.exp(v - t.m) / (1 + t.s); });
  }

  // Loss of one example: -log softmax(z)_y, y a 0-based class index.
  function softmaxCrossEntropy(z, y) {
    return -logSoftmax(z)[y];
  }

  // Gradient of the loss with respect to the logits: softmax(z) - onehot(y).
  function softmaxCrossEntropyGrad(z, y) {
    var t = shifted(z);
    return z.map(function (v, i) {
      if (i !== y) { return Math.exp(v - t.m) / (1 + t.s); }
      if (i === t.k) {
        // p_y - 1 = -s / (1 + s) exactly, without cancelling p_y against 1.
        return -t.s / (1 + t.s);
      }
      return Math.exp(v - t.m) / (1 + t.s) - 1;
    });
  }

  function sigmoid(x) {
    // exp of a non-positive number only: no overflow for large |x|.
    if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
    var e = Math.exp(x);
    return e / (1 + e);
  }

  // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow, and exact
  // for very negative x where log(1 + exp(x)) would round to 0.
  function softplus(x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  function logSigmoid(x) {
    return -softplus(-x);
  }

  // BCE of logit z against target y in [0, 1]:
  // -[y log sigma(z) + (1 - y) log(1 - sigma(z))] = y softplus(-z) + (1 - y) softplus(z).
  function bceWithLogits(z, y) {
    return y * softplus(-z) + (1 - y) * softplus(z);
  }

  // d/dz of the BCE: sigma(z) - y = (1 - y) sigma(z) - y sigma(-z); the second
  // form never subtracts two numbers close to 1.
  function bceWithLogitsGrad(z, y) {
    return (1 - y) * sigmoid(z) - y * sigmoid(-z);
  }

  // Weights -> probabilities. The widget calls this explicitly and shows the
  // result; the measures below never renormalise silently.
  function normalise(w) {
    var total = 0;
    for (var i = 0; i < w.length; i++) {
      if (!(w[i] >= 0) || !isFinite(w[i])) {
        throw new RangeError("weights: entry " + i + " is " + w[i] + ", not a finite number >= 0");
      }
      total += w[i];
    }
    if (total === 0) {
      throw new RangeError("weights: all are zero, so they cannot be renormalised");
    }
    return w.map(function (v) { return v / total; });
  }

  // H(P) = -sum p log p, with 0 log 0 = 0.
  function entropy(p) {
    var h = 0;
    for (var i = 0; i < p.length; i++) {
      if (p[i] > 0) { h -= p[i] * Math.log(p[i]); }
    }
    return h;
  }

  // H(P, Q) = -sum p log q; +inf where q = 0 < p; terms with p = 0 are 0.
  function crossEntropy(p, q) {
    var h = 0;
    for (var i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        if (q[i] === 0) { return Infinity; }
        h -= p[i] * Math.log(q[i]);
      }
    }
    return h;
  }

  // One term p log(p / q) - p + q of the KL divergence, always >= 0. When p is
  // close to q, p log(p / q) and p - q nearly cancel; with v = (p - q) / (p + q),
  // log(p / q) = 2 (v + v^3/3 + v^5/5 + ...) gives the term as
  // (p - q) v + 2 p (v^3/3 + v^5/5 + ...) (Loader's bd0, as xent_ref computes
  // it). The first part, (p + q) v^2, is >= 0; the series has the sign of v,
  // so it is negative when p < q. For |v| < 1/2 it is at most a third of the
  // first part in size, so the sum keeps its relative accuracy.
  function klTerm(p, q) {
    if (p === 0) { return q; }
    if (q === 0) { return Infinity; }
    var v = (p - q) / (p + q);
    if (Math.abs(v) >= 0.5) {
      return p * Math.log(p / q) - p + q;
    }
    var v2 = v * v;
    var power = v * v2;
    var sum = 0;
    for (var j = 1; j < 200; j++) {
      var term = power / (2 * j + 1);
      var next = sum + term;
      if (next === sum) { break; }
      sum = next;
      power *= v2;
    }
    return (p - q) * v + 2 * p * sum;
  }

  // D_KL(P || Q) = sum p log(p / q) = sum (p log(p / q) - p + q), the second
  // form since both sum to 1: its terms are >= 0, so nothing cancels and the
  // result is never negative. +inf where q = 0 < p.
  function klDivergence(p, q) {
    var d = 0;
    for (var i = 0; i < p.length; i++) {
      d += klTerm(p[i], q[i]);
    }
    return d;
  }

  var math = {
    logsumexp: logsumexp,
    logSoftmax: logSoftmax,
    softmax: softmax,
    softmaxCrossEntropy: softmaxCrossEntropy,
    softmaxCrossEntropyGrad: softmaxCrossEntropyGrad,
    sigmoid: sigmoid,
    logSigmoid: logSigmoid,
    softplus: softplus,
    bceWithLogits: bceWithLogits,
    bceWithLogitsGrad: bceWithLogitsGrad,
    normalise: normalise,
    entropy: entropy,
    crossEntropy: crossEntropy,
    klDivergence: klDivergence
  };

  /* ------------------------------------------------------------- display */

  var MINUS = "\u2212";

  // Three decimals, or three significant digits in exponent form for values
  // that three decimals would show as 0.000 or that are very large.
  function format(x, decimals) {
    var d = decimals === undefined ? 3 : decimals;
    if (isNaN(x)) { return "undefined"; }
    if (x === Infinity) { return "\u221e"; }
    if (x === -Infinity) { return MINUS + "\u221e"; }
    var a = Math.abs(x);
    var s;
    if (x === 0) {
      s = (0).toFixed(d);
    } else if (a < Math.pow(10, -d) || a >= 1e5) {
      s = x.toExponential(2).replace("e+", "e");
    } else {
      s = x.toFixed(d);
    }
    return s.replace(/-/g, MINUS);
  }

  // A probability for display. Within 0.001 of 1, three decimals would show
  // 1.000, so it is written as 1 - (its complement), the complement computed
  // by the caller without subtracting from 1 (e.g. sigmoid(-z) for sigmoid(z)).
  function formatProbability(p, complement) {
    if (complement < 1e-3) { return "1 " + MINUS + " " + format(complement); }
    return format(p);
  }

  /* ---------------------------------------------------------------- plots */

  var SVG = "http://www.w3.org/2000/svg";
  var W = 480, H = 250, LEFT = 52, RIGHT = 14, TOP = 12, BOTTOM = 44;

  function svgEl(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function ticks(lo, hi, count) {
    var raw = (hi - lo) / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (f) { return f * mag; })
      .find(function (s) { return s >= raw; });
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
      out.push({ value: t, label: format(Math.abs(t) < 1e-12 ? 0 : t, decimals) });
    }
    return out;
  }

  // A line plot with fixed x range; the y range is set by setY.
  function Plot(svg, xmin, xmax, xlabel, ylabel, clipId) {
    this.svg = svg;
    this.xmin = xmin;
    this.xmax = xmax;
    var defs = svgEl("defs", {}, svg);
    var clip = svgEl("clipPath", { id: clipId }, defs);
    svgEl("rect", { x: LEFT, y: TOP, width: W - LEFT - RIGHT, height: H - TOP - BOTTOM }, clip);
    this.axes = svgEl("g", { "class": "xent-plot-axes" }, svg);
    this.layer = svgEl("g", { "clip-path": "url(#" + clipId + ")" }, svg);
    this.xlabel = xlabel;
    this.ylabel = ylabel;
  }

  Plot.prototype.sx = function (x) {
    return LEFT + (x - this.xmin) / (this.xmax - this.xmin) * (W - LEFT - RIGHT);
  };

  Plot.prototype.sy = function (y) {
    return H - BOTTOM - (y - this.ymin) / (this.ymax - this.ymin) * (H - TOP - BOTTOM);
  };

  Plot.prototype.setY = function (ymin, ymax) {
    var self = this;
    this.ymin = ymin;
    this.ymax = ymax;
    while (this.axes.firstChild) { this.axes.removeChild(this.axes.firstChild); }
    var g = this.axes;
    svgEl("line", { x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }, g);
    svgEl("line", { x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM }, g);
    ticks(this.xmin, this.xmax, 8).forEach(function (t) {
      var x = self.sx(t.value);
      svgEl("line", { x1: x, x2: x, y1: H - BOTTOM, y2: H - BOTTOM + 5 }, g);
      svgEl("text", { x: x, y: H - BOTTOM + 18, "text-anchor": "middle" }, g)
        .textContent = t.label;
    });
    ticks(ymin, ymax, 5).forEach(function (t) {
      var y = self.sy(t.value);
      svgEl("line", { x1: LEFT - 5, x2: LEFT, y1: y, y2: y }, g);
      svgEl("line", { "class": "xent-plot-grid", x1: LEFT, x2: W - RIGHT, y1: y, y2: y }, g);
      svgEl("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end" }, g)
        .textContent = t.label;
    });
    svgEl("text", { x: (LEFT + W - RIGHT) / 2, y: H - 6, "text-anchor": "middle" }, g)
      .textContent = this.xlabel;
    svgEl("text", {
      x: 14, y: (TOP + H - BOTTOM) / 2, "text-anchor": "middle",
      transform: "rotate(-90 14 " + (TOP + H - BOTTOM) / 2 + ")"
    }, g).textContent = this.ylabel;
  };

  Plot.prototype.curve = function (cls) {
    return svgEl("path", { "class": "xent-plot-line " + cls }, this.layer);
  };

  Plot.prototype.drawCurve = function (path, f) {
    var d = [];
    for (var i = 0; i <= 200; i++) {
      var x = this.xmin + (this.xmax - this.xmin) * i / 200;
      d.push((i ? "L" : "M") + this.sx(x).toFixed(2) + "," + this.sy(f(x)).toFixed(2));
    }
    path.setAttribute("d", d.join(""));
  };

  // The point (x, y) and a short tangent of the given slope through it.
  Plot.prototype.marker = function (cls) {
    return {
      tangent: svgEl("line", { "class": "xent-plot-tangent " + cls }, this.layer),
      dot: svgEl("circle", { "class": "xent-plot-dot " + cls, r: 5 }, this.layer)
    };
  };

  Plot.prototype.moveMarker = function (m, x, y, slope) {
    var half = (this.xmax - this.xmin) / 10;
    m.dot.setAttribute("cx", this.sx(x));
    m.dot.setAttribute("cy", this.sy(y));
    m.tangent.setAttribute("x1", this.sx(x - half));
    m.tangent.setAttribute("y1", this.sy(y - slope * half));
    m.tangent.setAttribute("x2", this.sx(x + half));
    m.tangent.setAttribute("y2", this.sy(y + slope * half));
  };

  /* -------------------------------------------------------------- widgets */

  function role(root, name) {
    return root.querySelector('[data-role="' + name + '"]');
  }

  function setText(root, name, text) {
    var el = role(root, name);
    if (el) { el.textContent = text; }
  }

  // A bar of length |v| (v in [-1, 1]); signed bars grow left or right of the middle.
  function setBar(root, name, v, signed) {
    var el = role(root, name);
    if (!el) { return; }
    var width = Math.min(Math.abs(v), 1) * (signed ? 50 : 100);
    el.style.width = width + "%";
    if (signed) {
      el.style.left = (v < 0 ? 50 - width : 50) + "%";
    }
  }

  function niceMax(v) {
    return Math.max(1, Math.ceil(v));
  }

  function mountSoftmax(root) {
    var fixed = root.dataset.fixedLogits.split(" ").map(Number);
    var slider = role(root, "z");
    var radios = root.querySelectorAll('input[data-role="y"]');
    var plot = new Plot(role(root, "plot"), Number(slider.min), Number(slider.max),
      "logit z\u2082 of class 2", "loss (nats)", root.id + "-clip");
    var line = plot.curve("xent-c1");
    var mark = plot.marker("xent-c1");
    var shownY = -1;

    function trueClass() {
      for (var i = 0; i < radios.length; i++) {
        if (radios[i].checked) { return Number(radios[i].value); }
      }
      return 0;
    }

    function update() {
      var z2 = Number(slider.value);
      var y = trueClass();
      var z = [fixed[0], fixed[1], z2];
      var p = softmax(z);
      var g = softmaxCrossEntropyGrad(z, y);
      var loss = softmaxCrossEntropy(z, y);
      setText(root, "z-value", format(z2, 1));
      slider.setAttribute("aria-valuetext", format(z2, 1));
      setText(root, "z-2", format(z2, 1));
      for (var k = 0; k < 3; k++) {
        setText(root, "p-" + k, format(p[k]));
        setText(root, "y-" + k, k === y ? "1" : "0");
        setText(root, "g-" + k, format(g[k]));
        setBar(root, "pbar-" + k, p[k], false);
        setBar(root, "gbar-" + k, g[k], true);
      }
      setText(root, "summary",
        "True class y* = " + y + ": loss " + format(loss) + " nats; gradient softmax(z) \u2212 y = (" +
        g.map(function (v) { return format(v); }).join(", ") + ").");
      if (y !== shownY) {
        var f = function (x) { return softmaxCrossEntropy([fixed[0], fixed[1], x], y); };
        var top = Math.max(f(plot.xmin), f(plot.xmax));
        plot.setY(0, niceMax(top));
        plot.drawCurve(line, f);
        shownY = y;
      }
      plot.moveMarker(mark, z2, loss, g[2]);
    }

    slider.addEventListener("input", update);
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  function mountBce(root) {
    var slider = role(root, "z");
    var plot = new Plot(role(root, "plot"), Number(slider.min), Number(slider.max),
      "logit z", "loss (nats)", root.id + "-clip");
    var top = Math.max(bceWithLogits(plot.xmin, 1), bceWithLogits(plot.xmax, 0));
    plot.setY(0, niceMax(top));
    var line1 = plot.curve("xent-c1");
    var line0 = plot.curve("xent-c2 xent-dashed");
    plot.drawCurve(line1, function (x) { return bceWithLogits(x, 1); });
    plot.drawCurve(line0, function (x) { return bceWithLogits(x, 0); });
    svgEl("text", { "class": "xent-plot-key xent-c1", x: plot.sx(plot.xmin) + 8, y: TOP + 14 },
      plot.layer).textContent = "y = 1";
    svgEl("text", { "class": "xent-plot-key xent-c2", x: plot.sx(plot.xmax) - 8, y: TOP + 14,
      "text-anchor": "end" }, plot.layer).textContent = "y = 0";
    var mark1 = plot.marker("xent-c1");
    var mark0 = plot.marker("xent-c2");

    function update() {
      var z = Number(slider.value);
      setText(root, "z-value", format(z, 1));
      slider.setAttribute("aria-valuetext", format(z, 1));
      var q = formatProbability(sigmoid(z), sigmoid(-z));
      var qComplement = formatProbability(sigmoid(-z), sigmoid(z));
      setText(root, "q", q);
      setText(root, "q-complement", qComplement);
      var parts = [];
      [1, 0].forEach(function (y) {
        var loss = bceWithLogits(z, y);
        var grad = bceWithLogitsGrad(z, y);
        setText(root, "loss-" + y, format(loss));
        setText(root, "g-" + y, format(grad));
        plot.moveMarker(y ? mark1 : mark0, z, loss, grad);
        parts.push("y = " + y + ": loss " + format(loss) + " nats, gradient " + format(grad));
      });
      setText(root, "summary", "q = " + q + ", 1 " + MINUS + " q = " + qComplement + ". " +
        parts.join("; ") + ".");
    }

    slider.addEventListener("input", update);
    update();
  }

  function mountKl(root) {
    var sliders = { p: [], q: [] };
    root.querySelectorAll('input[type="range"]').forEach(function (el) {
      var name = el.dataset.role;  // "wp-0", "wq-3", ...: outcomes 0 to 3
      sliders[name.charAt(1)][Number(name.split("-")[1])] = el;
    });
    var unit = role(root, "unit");

    function weights(list) {
      return list.map(function (el) { return Number(el.value); });
    }

    function update() {
      var scale = unit.value === "bits" ? 1 / Math.LN2 : 1;
      var unitName = unit.value;
      var dist = {};
      var problems = [];
      ["p", "q"].forEach(function (name) {
        var w = weights(sliders[name]);
        w.forEach(function (v, i) { setText(root, "w" + name + "-" + i + "-value", String(v)); });
        try {
          dist[name] = normalise(w);
        } catch (e) {
          dist[name] = null;
          problems.push(name.toUpperCase() + ": all weights are 0, so there is nothing to " +
            "renormalise. Raise at least one.");
        }
        for (var i = 0; i < w.length; i++) {
          var v = dist[name] ? dist[name][i] : NaN;
          setText(root, name + "-" + i, dist[name] ? format(v) : "\u2014");
          setBar(root, name + "bar-" + i, dist[name] ? v : 0, false);
        }
      });
      setText(root, "warning", problems.join(" "));
      var names = ["h-p", "h-pq", "kl-pq", "h-p-plus-kl", "kl-qp"];
      if (problems.length) {
        names.forEach(function (n) { setText(root, n, "\u2014"); });
        setText(root, "summary", "");
        return;
      }
      var p = dist.p, q = dist.q;
      var values = {
        "h-p": entropy(p) * scale,
        "h-pq": crossEntropy(p, q) * scale,
        "kl-pq": klDivergence(p, q) * scale,
        "kl-qp": klDivergence(q, p) * scale
      };
      values["h-p-plus-kl"] = values["h-p"] + values["kl-pq"];
      names.forEach(function (n) { setText(root, n, format(values[n]) + " " + unitName); });
      var summary = "H(P) = " + format(values["h-p"]) + ", H(P, Q) = " + format(values["h-pq"]) +
        ", D_KL(P \u2016 Q) = " + format(values["kl-pq"]) + " " + unitName + ".";
      if (values["kl-pq"] === Infinity) {
        summary += " Q gives probability 0 to an outcome that P can produce, so the " +
          "cross-entropy and the KL divergence are infinite.";
      }
      setText(root, "summary", summary);
    }

    sliders.p.concat(sliders.q).forEach(function (el) { el.addEventListener("input", update); });
    unit.addEventListener("change", update);
    update();
  }

  var MOUNTS = { softmax: mountSoftmax, bce: mountBce, kl: mountKl };

  function mount(root) {
    if (root.dataset.xentMounted) { return; }
    var f = MOUNTS[root.dataset.xentExplore];
    if (f) {
      f(root);
      root.dataset.xentMounted = "true";
    }
  }

  function mountAll(doc) {
    doc.querySelectorAll("[data-xent-explore]").forEach(mount);
  }

  return {
    math: math, format: format, formatProbability: formatProbability,
    mount: mount, mountAll: mountAll
  };
});
