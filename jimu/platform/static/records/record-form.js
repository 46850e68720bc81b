/* The form page: fill a new record or edit one. Formulas (each sub-form row's first, then
   the form's), visibility, required-when and defaults run live on the form's JsonLogic; the
   server computes and checks again on save and its errors are shown next to their fields. */
(function () {
  "use strict";
  var jimu = window.jimu;
  function computed(f) { return !!jimu.fieldType(f.type).computed; }

  function pad(n) { return String(n).padStart(2, "0"); }
  function now() {
    var d = new Date();
    var day = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    return { today: day, now: day + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) };
  }
  function blank(f) {
    var kind = jimu.fieldType(f.type);
    return kind.many || (kind.links && f.multiple) ? [] : null;
  }
  function truthy(v) { return v !== null && v !== undefined && v !== false && v !== 0 && v !== ""; }
  var rowKey = 0;
  function withKey(row) { rowKey += 1; return Object.assign({ _k: "r" + rowKey }, row); }

  /** A value as the expression language sees it (numbers as numbers, checkboxes as booleans). */
  function typed(f, v) {
    if (jimu.fieldType(f.type).expr === "number") {
      if (v === null || v === undefined || v === "") return null;
      var n = Number(v);
      return isNaN(n) ? null : n;
    }
    if (f.type === "checkbox") return !!v;
    if (f.type === "subform") return (v || []).map(function (row) { return typedRow(f.fields, row); });
    return v === undefined || v === "" ? null : v;
  }
  function typedRow(fields, row) {
    var out = {};
    fields.forEach(function (f) { out[f.key] = typed(f, row ? row[f.key] : null); });
    return out;
  }

  /** A computed value as text: yes/no, numbers with the field's decimals. */
  function display(f, v, words) {
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return v ? words.yes : words.no;
    if (typeof v === "number") {
      if (f.decimals !== null && f.decimals !== undefined) return v.toFixed(f.decimals);
      return String(Math.round(v * 1e10) / 1e10);
    }
    return String(v);
  }

  jimu.recordForm = function (config) {
    jimu.currentForm = config;
    var spec = config.spec, fields = {}, inner = {};
    spec.fields.forEach(function (f) {
      fields[f.key] = f;
      if (f.type === "subform") {
        inner[f.key] = {};
        f.fields.forEach(function (i) { inner[f.key][i.key] = i; });
      }
    });
    return {
      mode: config.mode, values: {}, errors: {}, summary: "", busy: false, ready: false,
      logic: { fields: {}, order: [], types: {}, rows: {}, server_only: [] }, related: {}, record: null,

      async init() {
        var base = "/api/apps/" + config.app + "/forms/" + config.form;
        try {
          this.logic = await jimu.api("GET", base + "/logic" + (this.mode === "preview" ? "?draft=true" : ""));
        } catch (problem) { /* the server still computes everything on save */ }
        if (this.mode === "edit") {
          try {
            this.record = await jimu.api("GET", base + "/records/" + config.record_id);
          } catch (problem) {
            this.summary = jimu.problemText(problem);
            return;
          }
          this.values = this.fromRecord(this.record);
        } else {
          this.values = this.defaults();
        }
        this.$el.addEventListener("relation-picked", (e) => this.relationPicked(e.detail, true));
        this.$el.addEventListener("relation-loaded", (e) => this.relationPicked(e.detail, false));
        this.ready = true;
      },
      fromRecord(record) {
        var values = {};
        spec.fields.forEach(function (f) {
          var v = record[f.key];
          if (f.type === "subform") v = (v || []).map(withKey);
          values[f.key] = v === undefined || v === null ? blank(f) : v;
        });
        return values;
      },
      defaults() {
        var values = {};
        spec.fields.forEach(function (f) {
          values[f.key] = f.default !== null && f.default !== undefined ? f.default : blank(f);
          if (f.type === "subform") values[f.key] = Array.from({ length: f.min_rows || 0 }, function () { return withKey({}); });
        });
        this.values = values;
        var data = this.data();
        spec.fields.forEach((f) => {
          var rule = (this.logic.fields[f.key] || {}).default;
          if (rule && (values[f.key] === null || values[f.key] === undefined)) {
            var v = window.jsonLogic.apply(rule, data);
            values[f.key] = v === null || v === undefined ? null : typeof v === "number" ? String(v) : v;
          }
        });
        return values;
      },

      // -- live logic -----------------------------------------------------------------
      data() {
        var d = { _ctx: Object.assign(now(), { user: config.me.id, department: config.me.department }) };
        spec.fields.forEach((f) => {
          if (f.type === "relation" && !f.multiple) {
            var target = (config.forms || {})[f.target_form];
            var rec = this.related[f.key];
            d[f.key] = rec && target ? Object.assign({ _id: rec._id }, typedRow(target.fields, rec)) : null;
          } else {
            d[f.key] = typed(f, this.values[f.key]);
          }
        });
        if (this.record) ["_id", "_owner", "_created_at", "_updated_at", "_created_by"].forEach((k) => { d[k] = this.record[k]; });
        Object.keys(this.logic.rows || {}).forEach((sub) => {
          (d[sub] || []).forEach((row) => this.computeRow(this.logic.rows[sub], row, d._ctx));
        });
        this.logic.order.forEach((key) => {
          try { d[key] = window.jsonLogic.apply(this.logic.fields[key].formula, d); } catch (e) { d[key] = null; }
        });
        return d;
      },
      /** Computes a sub-form row's formulas in place (they read their own row only). */
      computeRow(rows, row, ctx) {
        row._ctx = ctx;
        rows.order.forEach(function (key) {
          try { row[key] = window.jsonLogic.apply(rows.fields[key], row); } catch (e) { row[key] = null; }
        });
        delete row._ctx;
      },
      apply(key, part) {
        var rule = (this.logic.fields[key] || {})[part];
        if (!rule) return undefined;
        try { return window.jsonLogic.apply(rule, this.data()); } catch (e) { return undefined; }
      },
      visible(key) {
        var f = fields[key];
        if (!f || f.hidden || ((config.perms || {}).fields || {})[key] === "hidden") return false;
        var shown = this.apply(key, "visible");
        return shown === undefined ? true : truthy(shown);
      },
      isRequired(key) {
        var f = fields[key];
        return !!(f && (f.required || truthy(this.apply(key, "required"))));
      },
      shown(key) {
        if (this.logic.order.indexOf(key) < 0) {
          var stored = this.values[key];
          return stored === null || stored === undefined ? (config.words.server_computed || "") : String(stored);
        }
        return display(fields[key], this.data()[key], config.words);
      },
      /** A row formula of sub-form `sub`, row `i`: computed live, else as last saved. */
      rowShown(sub, i, key) {
        var rows = (this.logic.rows || {})[sub];
        if (!rows || rows.order.indexOf(key) < 0) {
          var stored = ((this.values[sub] || [])[i] || {})[key];
          return stored === null || stored === undefined ? (config.words.server_computed || "") : String(stored);
        }
        var row = (this.data()[sub] || [])[i];
        return display(inner[sub][key], row ? row[key] : null, config.words);
      },
      lookupValue(key) {
        var f = fields[key], rec = this.related[f.relation];
        if (rec !== undefined) return rec ? (rec[f.source_field] ?? "") : "";
        var v = this.values[key];
        return v === null || v === undefined ? "" : String(v);
      },
      relationPicked(detail, changed) {
        if (!fields[detail.field]) return;
        this.related[detail.field] = detail.record;
        if (!changed) return;
        spec.fields.forEach((f) => {
          if (f.linkage && f.linkage.relation === detail.field) {
            var v = detail.record ? detail.record[f.linkage.source_field] : null;
            this.values[f.key] = v === undefined ? null : v;
          }
        });
      },

      // -- sub-forms and uploads ------------------------------------------------------------
      addRow(key) { this.values[key] = (this.values[key] || []).concat([withKey({})]); },
      removeRow(key, i) { var rows = this.values[key].slice(); rows.splice(i, 1); this.values[key] = rows; },
      uploadPath(path) {
        return { app: config.app, form: config.form, field: path.replace(/\[\d+\]/g, ""), recordId: config.record_id };
      },

      // -- saving ---------------------------------------------------------------------------
      clean(f, v) {
        if (f.type === "subform") {
          return (v || []).map(function (row) {
            var out = {};
            if (row.id) out.id = row.id;
            f.fields.forEach(function (inner) {
              if (!computed(inner) && !inner.read_only && row[inner.key] !== undefined) out[inner.key] = row[inner.key] === "" ? null : row[inner.key];
            });
            return out;
          });
        }
        if (jimu.fieldType(f.type).files) return (v || []).map(function (file) { return { id: file.id }; });
        if (v === "" && !jimu.fieldType(f.type).empty_text) return null;
        return v === undefined ? null : v;
      },
      payload() {
        var out = {}, modes = (config.perms || {}).fields || {};
        spec.fields.forEach((f) => {
          if (computed(f) || f.read_only || (modes[f.key] || "edit") !== "edit") return;
          var v = this.clean(f, this.values[f.key]);
          if (this.mode === "edit" && JSON.stringify(v) === JSON.stringify(this.clean(f, this.fromRecord(this.record)[f.key]))) return;
          out[f.key] = v;
        });
        return out;
      },
      async submit() {
        if (this.mode === "preview") return;
        this.busy = true; this.errors = {}; this.summary = "";
        var base = "/api/apps/" + config.app + "/forms/" + config.form + "/records";
        try {
          var saved = this.mode === "edit"
            ? await jimu.api("PATCH", base + "/" + config.record_id, { version: this.record._version, values: this.payload() })
            : await jimu.api("POST", base, { values: this.payload() });
          this.done(saved);
        } catch (problem) {
          this.errors = jimu.fieldErrors(problem);
          this.summary = Object.keys(this.errors).length ? config.words.fix_errors : jimu.problemText(problem);
          this.$nextTick(() => {
            var first = this.$el.querySelector(".invalid input, .invalid select, .invalid textarea, .invalid [contenteditable]");
            if (first) first.focus();
          });
        } finally {
          this.busy = false;
        }
      },
      done(saved) {
        if (config.embed && window.parent !== window) {
          window.parent.postMessage({ type: "jimu:created", form: config.form, record: saved }, window.location.origin);
          return;
        }
        window.location.href = "/apps/" + config.app + "/forms/" + config.form + "/records/" + saved._id;
      },
    };
  };
})();
