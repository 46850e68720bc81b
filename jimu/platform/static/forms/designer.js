/* The form designer: palette → canvas (SortableJS) → properties, and a preview; undo/redo,
   save draft and publishing come from the designer shell. The canvas is drawn from the model
   after each change. */
(function () {
  "use strict";
  var jimu = window.jimu, M;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  jimu.designer = function (config) {
    M = jimu.designerModel;
    jimu.designerForms = config.forms;
    var state = M.fromSpec(config.draft);
    var form = "/api/apps/" + config.app + "/forms/" + config.form;
    var endpoints = { save: ["PUT", form], plan: form + "/publish-plan", publish: form + "/publish" };
    return jimu.designerShell(endpoints, {
      app: config.app, words: config.words, palette: config.palette,
      form: state.form, nodes: state.nodes, selectedUid: null, errors: {},
      publishedVersion: config.published_version,
      previewWidth: "desktop", previewSrc: "about:blank", sortables: [],

      init() {
        this.startShell();
        this.formContext = this.formContext.bind(this);
        this.formulaContext = this.formulaContext.bind(this);
      },
      title() { return this.pick(this.form.name) || this.form.key; },
      openUrl() { return "/apps/" + this.app + "/forms/" + this.form.key; },
      pick(label) {
        if (!label) return "";
        return jimu.locale === "zh-CN" ? label.zh || label.en || "" : label.en || label.zh || "";
      },
      typeLabel(type) {
        var found = this.palette.fields.concat(this.palette.layout).find((p) => p.type === type);
        return found ? found.label : type;
      },
      get sel() { var found = this.selectedUid && M.find(this, this.selectedUid); return found ? found.item : null; },
      specNow() { return M.toSpec(this).spec; },
      snapshot() { return JSON.stringify({ form: this.form, nodes: this.nodes }); },
      restore(snap) { var s = JSON.parse(snap); this.form = s.form; this.nodes = s.nodes; },

      // -- editing ---------------------------------------------------------------------
      select(id) { this.selectedUid = id; },
      makeEntry(code) {
        if (code.indexOf("layout:") === 0) return M.newLayout(code.slice(7), this.palette);
        return M.newField(this, code, this.palette);
      },
      onPaletteClick(event) {
        var item = event.target.closest("[data-new]");
        if (item) this.addFromPalette(item.dataset.new);
      },
      addFromPalette(code) {
        var entry = this.makeEntry(code);
        var target = this.sel && this.sel._layout && !entry._layout ? this.sel.children : this.nodes;
        if (this.sel && this.sel.type === "subform" && !entry._layout && this.allowedInSubform(entry.type)) target = this.sel.fields;
        target.push(entry);
        this.select(entry._uid);
        this.record();
      },
      allowedInSubform(type) {
        var info = this.palette.fields.find((p) => p.type === type);
        return info && info.in_subform;
      },
      act(action, id) {
        var found = M.find(this, id);
        if (!found) return;
        var index = found.list.indexOf(found.item);
        if (action === "del") {
          found.list.splice(index, 1);
          if (found.item._layout) found.list.splice.apply(found.list, [index, 0].concat(found.item.children));
          if (this.selectedUid === id) this.select(null);
        } else if (action === "dup") {
          var copy = M.duplicate(this, found.item);
          found.list.splice(index + 1, 0, copy);
          this.select(copy._uid);
        } else if (action === "up" && index > 0) {
          found.list.splice(index - 1, 0, found.list.splice(index, 1)[0]);
        } else if (action === "down" && index < found.list.length - 1) {
          found.list.splice(index + 1, 0, found.list.splice(index, 1)[0]);
        }
        this.record();
      },
      onCanvasClick(event) {
        var button = event.target.closest("[data-act]");
        var item = event.target.closest(".cv-item");
        if (button && item) { this.act(button.dataset.act, item.dataset.uid); return; }
        this.select(item ? item.dataset.uid : null);
      },
      onCanvasKey(event) {
        var item = event.target.closest(".cv-item");
        if (!item || event.target !== item) return;
        var id = item.dataset.uid;
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); this.select(id); }
        else if (event.key === "Delete") { event.preventDefault(); this.act("del", id); }
        else if (event.altKey && event.key === "ArrowUp") { event.preventDefault(); this.act("up", id); this.refocus(id); }
        else if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); this.act("down", id); this.refocus(id); }
      },
      refocus(id) {
        this.$nextTick(() => { var el = this.$refs.canvas.querySelector('[data-uid="' + id + '"]'); if (el) el.focus(); });
      },
      setNum(prop, event) {
        var v = event.target.value;
        this.sel[prop] = v === "" ? null : Number(v);
      },
      setText(prop, event) { this.sel[prop] = event.target.value === "" ? null : event.target.value; },
      setHelp(value) { this.sel.help = value ? { zh: value, en: value } : null; },
      setLayoutLabel(lang, value) {
        this.sel.label = this.sel.label || { zh: "", en: "" };
        this.sel.label[lang] = value;
      },
      setLinkage(part, value) {
        if (part === "relation" && !value) { this.sel.linkage = null; return; }
        this.sel.linkage = Object.assign({ relation: "", source_field: "" }, this.sel.linkage || {});
        this.sel.linkage[part] = value;
      },
      has(prop) { return this.sel && (jimu.fieldType(this.sel.type).props || []).indexOf(prop) >= 0; },
      computed(field) { return !!jimu.fieldType(field.type).computed; },
      simpleDefault(field) { return !!jimu.fieldType(field.type).simple_default; },
      addOption() {
        var n = this.sel.options.length + 1, key = "opt" + n;
        while (this.sel.options.some((o) => o.key === key)) { n += 1; key = "opt" + n; }
        this.sel.options.push({ _uid: M.uid(), key: key, label: { zh: "选项" + n, en: "Option " + n } });
        this.record();
      },
      moveOption(i, delta) {
        var list = this.sel.options;
        list.splice(i + delta, 0, list.splice(i, 1)[0]);
        this.record();
      },
      bindOptions(el) {
        var self = this, next = null;
        window.Sortable.create(el, {
          handle: ".handle", draggable: ".option-row", animation: 150, forceFallback: true,
          onStart: function (evt) { next = evt.item.nextSibling; },
          onEnd: function (evt) {
            evt.from.insertBefore(evt.item, next);
            if (evt.oldDraggableIndex === evt.newDraggableIndex) return;
            var list = self.sel.options;
            list.splice(evt.newDraggableIndex, 0, list.splice(evt.oldDraggableIndex, 1)[0]);
            self.record();
          },
        });
      },
      addRule() {
        this.sel.validations = this.sel.validations || [];
        this.sel.validations.push({ _uid: M.uid(), formula: "", message: { zh: "", en: "" } });
      },
      topFields() { return M.allFields(this); },
      otherForms() { return config.forms; },
      fieldsOfForm(key) {
        if (key === this.form.key) return M.allFields(this);
        var f = config.forms.find((x) => x.key === key);
        return f ? f.fields : [];
      },
      relationFields() { return M.allFields(this).filter((f) => f.type === "relation" && !f.multiple); },
      targetOf(key) { var f = M.allFields(this).find((x) => x.key === key); return f ? f.target_form : ""; },
      /** Where the form's formulas are written: this form as edited, saved or not. */
      formContext() { return { kind: "form", form: this.form.key, draft: this.specNow() }; },
      /** The sub-form holding the selected field, if any. */
      parentSubform() {
        var found = this.selectedUid && M.find(this, this.selectedUid);
        return found && found.parent && found.parent.type === "subform" ? found.parent : null;
      },
      /** Where the selected formula field's formula is written: its row inside a sub-form, the
          forms pointing here for a rollup, else the form. */
      formulaContext() {
        var sub = this.parentSubform(), context = this.formContext();
        if (sub) { context.kind = "row"; context.subform = sub.key; }
        else if (this.sel && this.sel.type === "rollup") context.kind = "rollup";
        return context;
      },
      errorsOf(field) { return this.errors[field._uid] || []; },

      // -- the canvas ------------------------------------------------------------------
      renderCanvas() {
        var canvas = this.$refs.canvas;
        var html = this.nodes.length ? this.nodes.map((n) => this.itemHtml(n)).join("") : '<p class="cv-empty">' + esc(this.w("canvas_empty")) + "</p>";
        this.sortables.forEach((s) => s.destroy());
        canvas.innerHTML = '<div class="cv-list cv-root" data-list="root">' + html + "</div>";
        this.sortables = Array.from(canvas.querySelectorAll(".cv-list")).map((el) => this.bindList(el));
        var selected = this.selectedUid && canvas.querySelector('[data-uid="' + this.selectedUid + '"]');
        if (selected && selected.scrollIntoView) selected.scrollIntoView({ block: "nearest" });
      },
      itemHtml(item) {
        var selected = item._uid === this.selectedUid ? " selected" : "";
        var actions = '<div class="cv-actions">' + [["up", "↑", "move_up"], ["down", "↓", "move_down"], ["dup", "⊞", "duplicate"], ["del", "✕", "delete"]]
          .map((a) => '<button type="button" class="icon" data-act="' + a[0] + '" title="' + esc(this.w(a[2])) + '" aria-label="' + esc(this.w(a[2])) + '">' + a[1] + "</button>").join("") + "</div>";
        if (item._layout) {
          var title = item.label ? this.pick(item.label) : "";
          var inner = item.type === "divider" ? "" : '<div class="cv-list cv-drop cv-' + item.type + '" data-list="' + item._uid + '" data-accept="field">' +
            item.children.map((c) => this.itemHtml(c)).join("") + "</div>";
          return '<div class="cv-item cv-layout cv-kind-' + item.type + selected + '" data-uid="' + item._uid + '" tabindex="0" data-testid="cv-' + item.type + '">' +
            '<div class="cv-head"><span class="cv-label">' + esc(title || this.typeLabel(item.type)) + '</span><span class="cv-type">' + esc(this.typeLabel(item.type)) + "</span></div>" + inner + actions + "</div>";
        }
        var errs = this.errorsOf(item);
        var req = item.required ? '<span class="req" aria-hidden="true">*</span>' : "";
        var body = jimu.fieldType(item.type).preview || '<div class="fake"></div>';
        if (item.type === "subform") {
          body = '<div class="cv-list cv-drop cv-sub" data-list="' + item._uid + '" data-accept="subform">' + item.fields.map((c) => this.itemHtml(c)).join("") + "</div>";
        }
        return '<div class="cv-item cv-field cv-t-' + item.type + selected + (errs.length ? " has-error" : "") + '" data-uid="' + item._uid + '" data-key="' + esc(item.key) +
          '" data-testid="cv-field-' + esc(item.key) + '" tabindex="0" role="button" aria-label="' + esc(this.pick(item.label) + " · " + this.typeLabel(item.type)) + '">' +
          '<div class="cv-head"><span class="cv-label">' + esc(this.pick(item.label) || item.key) + req + '</span><span class="cv-type">' + esc(this.typeLabel(item.type)) + " · " + esc(item.key) + "</span></div>" +
          body + (errs.length ? '<ul class="cv-errors">' + errs.map((e) => "<li>" + esc(e) + "</li>").join("") + "</ul>" : "") + actions + "</div>";
      },
      bindList(el) {
        var self = this, accept = el.dataset.accept;
        return window.Sortable.create(el, {
          group: {
            name: "form", pull: true,
            put: function (_to, _from, drag) {
              var code = drag.dataset.new || "", isLayout = code.indexOf("layout:") === 0 || drag.classList.contains("cv-layout");
              if (!accept) return true;
              if (isLayout) return false;
              if (accept === "subform") {
                var type = code || (M.find(self, drag.dataset.uid) || { item: {} }).item.type;
                return self.allowedInSubform(type);
              }
              return true;
            },
          },
          draggable: ".cv-item", animation: 150, forceFallback: true, fallbackOnBody: true, swapThreshold: 0.65, invertSwap: true,
          onAdd: function (evt) { self.dropped(evt); },
          onUpdate: function (evt) { self.dropped(evt); },
        });
      },
      bindPalette(el) {
        window.Sortable.create(el, { group: { name: "form", pull: "clone", put: false }, sort: false, draggable: ".palette-item", forceFallback: true, fallbackOnBody: true });
      },
      dropped(evt) {
        var target = M.listOf(this, evt.to.dataset.list);
        var code = evt.item.dataset.new, entry;
        if (code) {
          evt.item.remove();
          entry = this.makeEntry(code);
        } else {
          var source = M.listOf(this, evt.from.dataset.list);
          entry = source.splice(evt.oldDraggableIndex, 1)[0];
        }
        if (!target || !entry) { this.nodes = this.nodes.slice(); return; }
        target.splice(evt.newDraggableIndex, 0, entry);
        this.select(entry._uid);
        this.nodes = this.nodes.slice();
        this.record();
      },

      // -- problems and preview ------------------------------------------------------
      /** A refused save or plan: each problem beside its field, the rest above the canvas. */
      showProblems(problem) {
        if (!problem) { this.errors = {}; return; }
        var built = M.toSpec(this), byUid = {}, general = [];
        (problem.errors || []).forEach((e) => {
          var m = /^fields\[(\d+)\](?:\.fields\[(\d+)\])?/.exec(e.field || "");
          var id = m ? built.uids[Number(m[1])] : null;
          var found = m && m[2] !== undefined && id ? M.find(this, id) : null;
          var inner = found ? (found.item.fields || [])[Number(m[2])] : null;
          if (inner) id = inner._uid;
          var text = (e.field ? e.field.replace(/^fields\[\d+\](\.fields\[\d+\])?\.?/, "") + ": " : "") + e.message;
          if (id) (byUid[id] = byUid[id] || []).push(text);
          else general.push((e.field ? e.field + ": " : "") + e.message);
        });
        this.errors = byUid;
        this.formErrors = general.length || Object.keys(byUid).length ? general : [problem.detail || problem.title];
        var first = Object.keys(byUid)[0];
        if (first) this.select(first);
      },
      async openPreview() {
        if (this.dirty && !(await this.save())) return;
        this.previewSrc = "/apps/" + this.app + "/forms/" + this.form.key + "/preview?t=" + Date.now();
        this.$refs.previewDialog.showModal();
      },
    });
  };
})();
