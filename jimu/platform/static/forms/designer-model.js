/* The designer's model: a form spec as a canvas tree (fields, layout containers, sub-form
   children) and back; no DOM here. Every entry carries a client-only _uid. */
(function () {
  "use strict";
  var jimu = window.jimu;
  var counter = 0;
  function uid() { counter += 1; return "u" + counter + "_" + Math.random().toString(36).slice(2, 7); }

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function tag(field) {
    field._uid = field._uid || uid();
    if (field.type === "subform") (field.fields = field.fields || []).forEach(tag);
    (field.options || []).forEach(function (o) { o._uid = o._uid || uid(); });
    return field;
  }

  /** The canvas tree of a spec: loose fields and layout containers, in the layout's order. */
  function fromSpec(spec) {
    var byKey = {}, placed = {}, nodes = [];
    (spec.fields || []).forEach(function (f) { byKey[f.key] = tag(clone(f)); });
    function take(keys) {
      return (keys || []).filter(function (k) { return byKey[k] && !placed[k]; }).map(function (k) { placed[k] = true; return byKey[k]; });
    }
    (spec.layout || []).forEach(function (item) {
      var children = take(item.fields);
      if (item.type === "section" && !item.label) { nodes.push.apply(nodes, children); return; }
      nodes.push({ _layout: true, _uid: uid(), type: item.type, label: item.label || null, children: children });
    });
    (spec.fields || []).forEach(function (f) { if (!placed[f.key]) nodes.push(byKey[f.key]); });
    var form = clone(spec);
    delete form.fields; delete form.layout;
    form.options = form.options || { allow_comments: true, allow_print: true, hidden_values: "clear" };
    form.name = form.name || { zh: "", en: "" };
    form.name.zh = form.name.zh || ""; form.name.en = form.name.en || "";
    return { form: form, nodes: nodes };
  }

  function strip(value) {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { if (k.charAt(0) !== "_") out[k] = strip(value[k]); });
      return out;
    }
    return value;
  }

  /** The spec of a canvas tree, and the _uid of each spec.fields[i] (to place server errors). */
  function toSpec(state) {
    var fields = [], layout = [], uids = [], loose = null;
    var hasLayout = state.nodes.some(function (n) { return n._layout; });
    state.nodes.forEach(function (node) {
      if (node._layout) {
        loose = null;
        var item = { type: node.type, fields: node.children.map(function (c) { return c.key; }) };
        if (node.label && (node.label.zh || node.label.en)) item.label = node.label;
        layout.push(item);
        node.children.forEach(function (c) { fields.push(c); uids.push(c._uid); });
        return;
      }
      fields.push(node); uids.push(node._uid);
      if (!hasLayout) return;
      if (!loose) { loose = { type: "section", fields: [] }; layout.push(loose); }
      loose.fields.push(node.key);
    });
    var spec = strip(state.form);
    spec.fields = fields.map(cleanField);
    spec.layout = layout;
    return { spec: spec, uids: uids };
  }

  function cleanField(field) {
    var out = strip(field);
    if (out.help && !out.help.zh && !out.help.en) delete out.help;
    if (out.type === "subform") out.fields = field.fields.map(cleanField);
    return out;
  }

  function allFields(state) {
    var out = [];
    state.nodes.forEach(function (n) { if (n._layout) out.push.apply(out, n.children); else out.push(n); });
    return out;
  }

  function find(state, id) {
    var found = null;
    function walk(list, parent) {
      list.forEach(function (item) {
        if (found) return;
        if (item._uid === id) { found = { item: item, list: list, parent: parent }; return; }
        if (item._layout) walk(item.children, item);
        else if (item.type === "subform") walk(item.fields, item);
      });
    }
    walk(state.nodes, null);
    return found;
  }

  /** The array behind a canvas list: "root", or the _uid of a container or sub-form. */
  function listOf(state, listId) {
    if (listId === "root") return state.nodes;
    var found = find(state, listId);
    if (!found) return null;
    return found.item._layout ? found.item.children : found.item.fields;
  }

  function uniqueKey(state, base) {
    var taken = {};
    allFields(state).forEach(function (f) {
      taken[f.key] = true;
      (f.fields || []).forEach(function (c) { taken[c.key] = true; });
    });
    var n = 1, key = base + "_" + n;
    while (taken[key]) { n += 1; key = base + "_" + n; }
    return key;
  }

  function newField(state, type, palette, locale) {
    var info = palette.fields.find(function (p) { return p.type === type; });
    var field = Object.assign({ type: type, key: uniqueKey(state, type), label: { zh: info.names.zh, en: info.names.en } }, clone(info.defaults));
    field.required = false;
    if (type === "relation") {
      var other = (jimu.designerForms || []).find(function (f) { return f.key !== state.form.key; });
      field.target_form = other ? other.key : state.form.key;
    }
    if (type === "lookup") {
      var via = allFields(state).find(function (f) { return f.type === "relation" && !f.multiple; });
      var target = via && (jimu.designerForms || []).find(function (f) { return f.key === via.target_form; });
      field.relation = via ? via.key : "";
      field.source_field = target && target.fields.length ? target.fields[0].key : "";
    }
    return tag(field);
  }

  function newLayout(type, palette) {
    var info = palette.layout.find(function (p) { return p.type === type; });
    var label = type === "columns" ? null : { zh: info.names.zh, en: info.names.en };
    return { _layout: true, _uid: uid(), type: type, label: label, children: [] };
  }

  function duplicate(state, item) {
    var copy = clone(item);
    function retag(f) {
      f._uid = uid();
      if (!f._layout) f.key = uniqueKey(state, f.key.replace(/_\d+$/, "") || f.type);
      (f.children || []).forEach(retag);
      if (f.type === "subform") f.fields.forEach(function (c) { c._uid = uid(); });
    }
    retag(copy);
    return copy;
  }

  /** Result types of a sub-form's row formulas, kept as "sub.key" among the form's types. */
  jimu.designerModel = {
    uid: uid, fromSpec: fromSpec, toSpec: toSpec, find: find, listOf: listOf, allFields: allFields,
    newField: newField, newLayout: newLayout, duplicate: duplicate,
    clone: clone,
  };
})();
