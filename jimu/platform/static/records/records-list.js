/* A form's record list: columns, sort, filters built by clicking (compiled to a formula),
   quick search, paging, bulk edit and delete, saved views. */
(function () {
  "use strict";
  var jimu = window.jimu;
  function kindOf(f) { return jimu.fieldType(f.type); }

  function quote(text) { return '"' + String(text).replace(/\\/g, "\\\\").replace(/"/g, '""') + '"'; }
  function dateLiteral(value, withTime) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value || "");
    if (!m) return null;
    var parts = [m[1], +m[2], +m[3]];
    if (withTime) return "DATETIME(" + parts.concat([+(m[4] || 0), +(m[5] || 0), +(m[6] || 0)]).join(", ") + ")";
    return "DATE(" + parts.join(", ") + ")";
  }

  jimu.recordList = function (config) {
    var spec = config.spec, byKey = {};
    spec.fields.forEach(function (f) { byKey[f.key] = f; });
    var modes = (config.perms || {}).fields || {};
    var defaults = spec.fields.filter(function (f) { return kindOf(f).column && modes[f.key] !== "hidden"; }).slice(0, 6).map(function (f) { return f.key; });
    if (spec.title_field && defaults.indexOf(spec.title_field) > 0) defaults = [spec.title_field].concat(defaults.filter(function (k) { return k !== spec.title_field; }));
    return {
      config: config, spec: spec, words: config.words, columns: defaults, sort: "", q: "", conditions: [], match: "all",
      page: 1, pageSize: 20, items: [], total: 0, totalExact: true, selected: [], loaded: false, error: "",
      views: [], viewId: "", viewName: "", viewShared: false, panel: "", draft: { field: "", op: "eq", value: "" },
      bulk: { field: "", value: "" },

      init() {
        var first = this.filterable()[0];
        if (first) { this.draft.field = first.key; this.draft.op = this.ops(first.key)[0]; }
        this.loadViews();
        this.load();
      },
      w(key) { return this.words[key] || key; },
      can(action) { return (config.perms || { actions: [] }).actions.indexOf(action) >= 0; },
      pick(label) { return jimu.pick(label); },
      fieldOf(key) { return byKey[key] || { key: key, type: "text", label: { en: key } }; },
      recordUrl(id) { return "/apps/" + config.app + "/forms/" + config.form + "/records/" + id; },
      base() { return "/api/apps/" + config.app + "/forms/" + config.form; },

      // -- filters ------------------------------------------------------------------------
      filterable() {
        var modes = (config.perms || {}).fields || {};
        return spec.fields.filter(function (f) {
          var kind = kindOf(f);
          return modes[f.key] !== "hidden" && !!kind.filter && !(kind.links && f.multiple);
        });
      },
      ops(key) {
        var filter = kindOf(this.fieldOf(key)).filter;
        if (filter === "text") return ["contains", "eq", "ne", "starts", "empty", "not_empty"];
        if (["number", "date", "datetime"].indexOf(filter) >= 0) return ["eq", "ne", "gt", "ge", "lt", "le", "empty", "not_empty"];
        if (filter === "checkbox") return ["true", "false"];
        if (filter === "select") return ["eq", "ne", "empty", "not_empty"];
        if (filter === "member") return ["me", "empty", "not_empty"];
        return ["empty", "not_empty"];
      },
      needsValue(op) { return ["empty", "not_empty", "true", "false", "me"].indexOf(op) < 0; },
      inputType(key) { return kindOf(this.fieldOf(key)).input || "text"; },
      literal(f, value) {
        var filter = kindOf(f).filter;
        if (filter === "number") {
          var v = f.type === "percent" ? jimu.shiftDecimal(value, -2) : String(value).trim();
          return /^-?\d+(\.\d+)?$/.test(v) ? v : null;
        }
        if (filter === "date" || filter === "datetime") return dateLiteral(value, filter === "datetime");
        return quote(value);
      },
      compile(c) {
        var f = this.fieldOf(c.field), k = c.field;
        var symbols = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };
        if (c.op === "empty") return "ISBLANK(" + k + ")";
        if (c.op === "not_empty") return "NOT ISBLANK(" + k + ")";
        if (c.op === "true") return k;
        if (c.op === "false") return "NOT " + k;
        if (c.op === "me") return k + " = CURRENT_USER()";
        var lit = this.literal(f, c.value);
        if (lit === null) return null;
        if (c.op === "contains") return "CONTAINS(" + k + ", " + lit + ")";
        if (c.op === "starts") return "STARTSWITH(" + k + ", " + lit + ")";
        return k + " " + symbols[c.op] + " " + lit;
      },
      filterExpression() {
        var parts = this.conditions.map((c) => this.compile(c)).filter(Boolean);
        if (!parts.length) return "";
        return parts.map(function (p) { return "(" + p + ")"; }).join(this.match === "any" ? " OR " : " AND ");
      },
      describe(c) {
        var f = this.fieldOf(c.field), value = c.value;
        if (f.type === "select") value = this.pick((f.options.find(function (o) { return o.key === c.value; }) || {}).label) || c.value;
        return this.pick(f.label) + " " + this.w("op_" + c.op) + (this.needsValue(c.op) ? " " + value : "");
      },
      addCondition() {
        var c = { field: this.draft.field, op: this.draft.op, value: this.draft.value };
        if (!c.field || (this.needsValue(c.op) && this.compile(c) === null)) return;
        this.conditions.push(c);
        this.draft.value = "";
        this.page = 1;
        this.load();
      },
      removeCondition(i) { this.conditions.splice(i, 1); this.page = 1; this.load(); },

      // -- loading ------------------------------------------------------------------------
      async load() {
        var params = new URLSearchParams({ page: this.page, page_size: this.pageSize });
        var filter = this.filterExpression();
        if (filter) params.set("filter", filter);
        if (this.q.trim()) params.set("q", this.q.trim());
        if (this.sort) params.set("sort", this.sort);
        var relations = spec.fields.filter(function (f) { return f.type === "relation"; }).map(function (f) { return f.key; });
        if (relations.length) params.set("expand", relations.join(","));
        this.error = "";
        try {
          var page = await jimu.api("GET", this.base() + "/records?" + params.toString());
          var names = jimu.namesIn(spec, page.items);
          await jimu.loadNames(names[0], names[1]);
          this.items = page.items; this.total = page.total; this.totalExact = page.total_exact !== false;
          this.selected = [];
        } catch (problem) {
          this.error = jimu.problemText(problem);
        } finally {
          this.loaded = true;
        }
      },
      pages() { return Math.max(1, Math.ceil(this.total / this.pageSize)); },
      cellClass(key) { return kindOf(this.fieldOf(key)).nowrap ? "nowrap" : ""; },
      cell(record, key) { return jimu.showValue(this.fieldOf(key), record[key], this.words); },
      toggleSort(key) {
        if (!byKey[key] || !kindOf(byKey[key]).sortable) return;
        this.sort = this.sort === key ? "-" + key : this.sort === "-" + key ? "" : key;
        this.load();
      },
      sortMark(key) { return this.sort === key ? "▲" : this.sort === "-" + key ? "▼" : ""; },
      sortState(key) { return this.sort === key ? "ascending" : this.sort === "-" + key ? "descending" : "none"; },
      toggleColumn(key) {
        this.columns = this.columns.indexOf(key) >= 0 ? this.columns.filter(function (k) { return k !== key; }) : this.columns.concat([key]);
      },

      // -- selection and bulk actions --------------------------------------------------------
      toggle(id, on) { this.selected = on ? this.selected.concat([id]) : this.selected.filter(function (x) { return x !== id; }); },
      selectAll(on) { this.selected = on ? this.items.map(function (r) { return r._id; }) : []; },
      editable() {
        var modes = (config.perms || {}).fields || {};
        return spec.fields.filter(function (f) {
          return !f.read_only && (modes[f.key] || "edit") === "edit" && !!kindOf(f).bulk_edit;
        });
      },
      async bulkDelete() {
        if (!window.confirm(this.w("confirm_delete"))) return;
        await this.bulkSend({ delete: this.selected });
      },
      async bulkEdit() {
        var f = this.fieldOf(this.bulk.field), value = this.bulk.value === "" ? null : this.bulk.value;
        if (f.type === "checkbox") value = value === "true" || value === "1" || value === true;
        if (f.type === "datetime") value = jimu.fromLocalInput(value);
        if (f.type === "percent" && value !== null) value = jimu.shiftDecimal(value, -2);
        var byId = {};
        this.items.forEach(function (r) { byId[r._id] = r; });
        var updates = this.selected.map(function (id) { var v = {}; v[f.key] = value; return { id: id, version: byId[id]._version, values: v }; });
        await this.bulkSend({ update: updates });
      },
      async bulkSend(body) {
        this.error = "";
        try {
          await jimu.api("POST", this.base() + "/records/bulk", body);
          this.bulk = { field: "", value: "" };
          await this.load();
        } catch (problem) {
          this.error = (problem.errors || []).map(function (e) { return e.field + ": " + e.message; }).join(" · ") || jimu.problemText(problem);
        }
      },

      // -- saved views ----------------------------------------------------------------------
      async loadViews() {
        try { this.views = await jimu.api("GET", this.base() + "/views"); } catch (problem) { this.views = []; }
      },
      currentView() { var id = Number(this.viewId); return this.views.find(function (v) { return v.id === id; }); },
      canEditView() { var v = this.currentView(); return v && (v.owner_id === config.me || config.admin); },
      applyView() {
        var view = this.currentView();
        this.columns = view && view.columns.length ? view.columns.slice() : defaults.slice();
        this.sort = view ? view.sort || "" : "";
        this.conditions = view ? (view.conditions || []).map(function (c) { return Object.assign({}, c); }) : [];
        this.match = view && view.filter && / OR /.test(view.filter) && !/ AND /.test(view.filter) ? "any" : "all";
        this.page = 1;
        this.load();
      },
      async saveView() {
        if (!this.viewName.trim()) return;
        try {
          var view = await jimu.api("POST", this.base() + "/views", {
            name: this.viewName.trim(), shared: this.viewShared, columns: this.columns, sort: this.sort || null,
            filter: this.filterExpression() || null, conditions: this.conditions,
          });
          await this.loadViews();
          this.viewId = String(view.id);
          this.viewName = ""; this.panel = "";
        } catch (problem) {
          this.error = jimu.problemText(problem);
        }
      },
      async deleteView() {
        var view = this.currentView();
        if (!view) return;
        await jimu.api("DELETE", this.base() + "/views/" + view.id);
        this.viewId = "";
        await this.loadViews();
        this.applyView();
      },
    };
  };
})();
