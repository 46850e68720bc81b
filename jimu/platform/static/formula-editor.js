/* The formula editor of the designers: live check through POST /api/expressions/check,
   the error shown under its position, field chips and the function library. */
(function () {
  "use strict";
  var jimu = window.jimu;
  var functions = null;

  function loadFunctions() {
    if (!functions) functions = jimu.api("GET", "/api/expressions/functions").catch(function () { return []; });
    return functions;
  }

  /** expect: "bool" | "number" | null; catalogue(): the fields a formula may use. */
  jimu.formulaEditor = function (expect, catalogue, words) {
    return {
      source: "", state: "", problem: null, result: null, query: "", library: [], seq: 0,
      init() {
        loadFunctions().then((list) => { this.library = list; });
        this.$watch("source", () => { if (!this.$refs.input || document.activeElement !== this.$refs.input) this.check(); });
        if (this.source) this.check();
      },
      async check() {
        var source = this.source || "";
        if (!source.trim()) { this.state = ""; this.problem = null; return; }
        var seq = ++this.seq;
        this.state = "checking";
        var body = { expression: source, fields: catalogue() };
        if (expect) body.expect = expect;
        try {
          var result = await jimu.api("POST", "/api/expressions/check", body);
          if (seq !== this.seq) return;
          this.result = result;
          this.problem = result.valid ? null : result.errors[0];
          this.state = result.valid ? "ok" : "error";
          if (result.valid) this.$dispatch("formula-type", { source: source, type: result.type });
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
        (catalogue() || []).forEach(function (f) {
          var label = f.label.zh || f.label.en || f.key;
          if (jimu.locale !== "zh-CN") label = f.label.en || f.label.zh || f.key;
          out.push({ key: f.key, label: label });
          (f.fields || []).forEach(function (inner) {
            if (f.type === "subform" || f.type === "relation") out.push({ key: f.key + "." + inner.key, label: label + "." + (inner.label.en || inner.label.zh || inner.key) });
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
