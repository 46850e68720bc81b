/* The formula editor, one component for every designer. It names the place a formula is
   written in (a context: a form's field, a sub-form row, a rollup, a role's data scope, and
   the places the engines add); the server answers what the formula may read there
   (POST /api/apps/{app}/formulas/catalogue) and checks it as publishing will
   (POST /api/apps/{app}/formulas/check). Live check, the error under its position, field
   chips and the function library. */
(function () {
  "use strict";
  var jimu = window.jimu;
  var functions = null;
  var catalogues = new Map();

  function loadFunctions() {
    if (!functions) functions = jimu.api("GET", "/api/expressions/functions").catch(function () { return []; });
    return functions;
  }

  /** The fields a formula may read in `context`, asked once per context (a few kept). */
  function catalogueOf(app, context) {
    var key = app + " " + JSON.stringify(context);
    if (!catalogues.has(key)) {
      if (catalogues.size >= 8) catalogues.delete(catalogues.keys().next().value);
      var asked = jimu.api("POST", "/api/apps/" + app + "/formulas/catalogue", context)
        .then(function (answer) { return answer.fields; })
        .catch(function () { catalogues.delete(key); return []; });
      catalogues.set(key, asked);
    }
    return catalogues.get(key);
  }

  /** options: {app, context(): {kind, form, subform?, draft?}, expect?: "bool" | "number", words}. */
  jimu.formulaEditor = function (options) {
    var words = options.words || {};
    return {
      source: "", state: "", problem: null, result: null, query: "", library: [], fields: [], seq: 0,
      init() {
        loadFunctions().then((list) => { this.library = list; });
        this.$watch("source", () => { if (!this.$refs.input || document.activeElement !== this.$refs.input) this.check(); });
        if (this.source) this.check();
      },
      async loadFields() {
        this.fields = await catalogueOf(options.app, options.context());
      },
      async check() {
        var source = this.source || "";
        if (!source.trim()) { this.state = ""; this.problem = null; return; }
        var seq = ++this.seq;
        this.state = "checking";
        var body = { expression: source, context: options.context() };
        if (options.expect) body.expect = options.expect;
        try {
          var result = await jimu.api("POST", "/api/apps/" + options.app + "/formulas/check", body);
          if (seq !== this.seq) return;
          this.result = result;
          this.problem = result.valid ? null : result.errors[0];
          this.state = result.valid ? "ok" : "error";
        } catch (problem) {
          if (seq !== this.seq) return;
          this.state = "error";
          this.problem = { message: (problem.errors && problem.errors[0] && problem.errors[0].message) || problem.detail || problem.title, excerpt: "", position: 0 };
        }
      },
      okText() {
        var text = (words.formula_ok || "{type}").replace("{type}", this.result ? this.result.type : "");
        if (this.result && !this.result.browser_capable) text += " · " + (words.server_computed || "");
        return text;
      },
      goToError() {
        var input = this.$refs.input;
        if (!input || !this.problem) return;
        input.focus();
        input.setSelectionRange(this.problem.position, this.problem.position + 1);
      },
      insert(text) {
        var input = this.$refs.input, value = this.source || "";
        var start = input ? input.selectionStart : value.length, end = input ? input.selectionEnd : value.length;
        this.source = value.slice(0, start) + text + value.slice(end);
        this.$nextTick(() => {
          if (!input) return;
          input.focus();
          input.setSelectionRange(start + text.length, start + text.length);
          this.check();
        });
      },
      chips() {
        var out = [];
        function name(label, key) {
          label = label || {};
          return (jimu.locale === "zh-CN" ? label.zh || label.en : label.en || label.zh) || key;
        }
        this.fields.forEach(function (f) {
          var label = name(f.label, f.key);
          out.push({ key: f.key, label: label });
          (f.fields || []).forEach(function (inner) {
            out.push({ key: f.key + "." + inner.key, label: label + "." + name(inner.label, inner.key) });
          });
        });
        return out;
      },
      functionList() {
        var q = this.query.trim().toLowerCase();
        return this.library.filter(function (fn) {
          return !q || fn.name.toLowerCase().indexOf(q) >= 0 || fn.description.toLowerCase().indexOf(q) >= 0;
        }).slice(0, q ? 50 : 12);
      },
    };
  };
})();
