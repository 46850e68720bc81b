/* Shows record values as text or safe HTML, by field type (lists, details, history). */
(function () {
  "use strict";
  var jimu = window.jimu;
  var users = {}, departments = {};

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  jimu.esc = esc;

  /** Loads the names of these users and departments (once each). */
  jimu.loadNames = async function (userIds, departmentIds) {
    var wanted = userIds.filter(function (id) { return id && !(id in users); });
    await Promise.all(wanted.map(async function (id) {
      users[id] = "#" + id;
      try { users[id] = (await jimu.api("GET", "/api/users/" + id)).display_name; } catch (e) { /* keep the id */ }
    }));
    var deps = departmentIds.filter(function (id) { return id && !(id in departments); });
    if (deps.length) {
      try {
        (await jimu.api("GET", "/api/departments")).items.forEach(function (d) { departments[d.id] = d.name; });
      } catch (e) { /* keep the ids */ }
    }
  };
  jimu.userName = function (id) { return id ? users[id] || "#" + id : ""; };
  jimu.departmentName = function (id) { return id ? departments[id] || "#" + id : ""; };

  /** Member and department ids a list of records mentions, for jimu.loadNames. */
  jimu.namesIn = function (spec, records) {
    var u = [], d = [];
    function collect(fields, r) {
      fields.forEach(function (f) {
        var v = r[f.key], list = Array.isArray(v) ? v : v ? [v] : [];
        if (f.type === "member") u.push.apply(u, list);
        if (f.type === "department") d.push.apply(d, list);
        if (f.type === "subform") list.forEach(function (row) { collect(f.fields, row || {}); });
      });
    }
    records.forEach(function (r) {
      ["_created_by", "_updated_by", "_owner"].forEach(function (k) { if (r[k]) u.push(r[k]); });
      collect(spec.fields, r);
    });
    return [u, d];
  };

  function option(f, key) {
    var found = (f.options || []).find(function (o) { return o.key === key; });
    return found ? jimu.pick(found.label) : key;
  }
  function relationTitle(item) {
    if (item && typeof item === "object") return item.title || "#" + item._id;
    return item ? "#" + item : "";
  }

  /** The value of field `f` as HTML (escaped); `words` for yes/no and counts. */
  jimu.showValue = function (f, v, words, links) {
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length && f.type !== "subform")) return "";
    switch (f.type) {
      case "select": return '<span class="opt-chip">' + esc(option(f, v)) + "</span>";
      case "multiselect": return v.map(function (k) { return '<span class="opt-chip">' + esc(option(f, k)) + "</span>"; }).join("");
      case "checkbox": return v ? "✓ " + esc(words.yes) : esc(words.no);
      case "percent": return esc(jimu.shiftDecimal(v, 2)) + "%";
      case "amount": return esc((f.currency || "") + " " + v);
      case "rating": return "★".repeat(v) + '<span class="muted">' + "★".repeat(Math.max(0, (f.max || 5) - v)) + "</span>";
      case "member": return esc((Array.isArray(v) ? v : [v]).map(jimu.userName).join(", "));
      case "department": return esc((Array.isArray(v) ? v : [v]).map(jimu.departmentName).join(", "));
      case "relation":
        return (Array.isArray(v) ? v : [v]).map(function (item) {
          var id = item && typeof item === "object" ? item._id : item;
          return links ? '<a href="' + esc(links(f.target_form, id)) + '">' + esc(relationTitle(item)) + "</a>" : esc(relationTitle(item));
        }).join(", ");
      case "address": return esc([v.province, v.city, v.district, v.detail].filter(Boolean).join(" "));
      case "location": return esc((v.label ? v.label + " " : "") + "(" + v.lat + ", " + v.lng + ")");
      case "attachment": case "image": case "signature":
        return esc((words.files_n || "{n}").replace("{n}", v.length));
      case "subform": return esc((words.rows_n || "{n}").replace("{n}", (v || []).length));
      case "richtext": return esc(String(v).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim());
      default: return esc(v);
    }
  };
})();
