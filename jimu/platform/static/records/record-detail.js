/* A record's detail page: its fields by layout, related records (the 360° view), the
   history timeline, comments, and for the app's admins who can see it and why. */
(function () {
  "use strict";
  var jimu = window.jimu;

  jimu.recordDetail = function (config) {
    var spec = config.spec, byKey = {};
    spec.fields.forEach(function (f) { byKey[f.key] = f; });
    var base = "/api/apps/" + config.app + "/forms/" + config.form + "/records/" + config.record_id;
    return {
      config: config, record: null, error: "", tab: "details", history: [], historyLoaded: false,
      comments: [], commentsLoaded: false, newComment: "", relatedItems: {},
      explainUser: null, explanation: null, explainError: "", roleNames: null,

      async init() {
        this.$watch("explainUser", (id) => this.explain(id));
        var relations = [];
        spec.fields.forEach(function (f) {
          if (f.type === "relation") relations.push(f.key);
          if (f.type === "subform") f.fields.forEach(function (i) { if (i.type === "relation") relations.push(f.key + "." + i.key); });
        });
        try {
          var record = await jimu.api("GET", base + (relations.length ? "?expand=" + relations.join(",") : ""));
          var names = jimu.namesIn(spec, [record]);
          await jimu.loadNames(names[0], names[1]);
          this.record = record;
        } catch (problem) {
          this.error = jimu.problemText(problem);
        }
      },
      w(key) { return config.words[key] || key; },
      pick(label) { return jimu.pick(label); },
      userName(id) { return jimu.userName(id); },
      when(at) { return at ? String(at).replace("T", " ").slice(0, 19) : ""; },
      title() { return this.record ? jimu.recordTitle(this.record, spec) : ""; },
      has(key) { return !!this.record && key in this.record; },
      fileLink(file) {
        var url = base + "/files/" + encodeURIComponent(file.id);
        var isImage = /^image\//.test(file.content_type || "");
        var inner = isImage ? '<img class="thumb" src="' + jimu.esc(url) + '" alt="' + jimu.esc(file.name) + '"> ' : "";
        return '<a href="' + jimu.esc(url) + '" target="_blank">' + inner + jimu.esc(file.name || file.id) + "</a>";
      },
      links(form, id) { return "/apps/" + config.app + "/forms/" + form + "/records/" + id; },
      show(key) {
        var f = byKey[key], v = this.record ? this.record[key] : null;
        if (!f || v === undefined) return "";
        if (jimu.fieldType(f.type).files) return (v || []).map((file) => this.fileLink(file)).join("<br>");
        if (f.type === "subform") return this.table(f, v || []);
        if (f.type === "richtext") return v || "";
        return jimu.showValue(f, v, config.words, this.links.bind(this));
      },
      table(f, rows) {
        if (!rows.length) return "";
        var head = "<tr>" + f.fields.map(function (i) { return "<th>" + jimu.esc(jimu.pick(i.label)) + "</th>"; }).join("") + "</tr>";
        var links = this.links.bind(this);
        var body = rows.map((row) => "<tr>" + f.fields.map((i) => "<td>" + jimu.showValue(i, row[i.key], config.words, links) + "</td>").join("") + "</tr>").join("");
        return '<div class="table-scroll"><table class="grid"><thead>' + head + "</thead><tbody>" + body + "</tbody></table></div>";
      },
      async remove() {
        if (!window.confirm(this.w("confirm_delete_one"))) return;
        try {
          await jimu.api("DELETE", base);
          window.location.href = "/apps/" + config.app + "/forms/" + config.form;
        } catch (problem) { this.error = jimu.problemText(problem); }
      },
      async openRelated(n) {
        this.tab = "rel" + n;
        var r = config.related[n];
        var filter = encodeURIComponent(r.field + "._id = " + Number(config.record_id));
        try {
          var page = await jimu.api("GET", "/api/apps/" + config.app + "/forms/" + r.form + "/records?page_size=100&filter=" + filter);
          this.relatedItems = Object.assign({}, this.relatedItems, { [n]: page.items });
        } catch (problem) { this.error = jimu.problemText(problem); }
      },
      relatedTitle(r, item) { return jimu.recordTitle(item, (config.forms || {})[r.form]); },
      async openHistory() {
        this.tab = "history";
        try {
          var entries = await jimu.api("GET", base + "/history");
          await jimu.loadNames(entries.map(function (e) { return e.actor_id; }), []);
          this.history = entries.slice().reverse();
        } catch (problem) { this.error = jimu.problemText(problem); }
        this.historyLoaded = true;
      },
      changes(entry) {
        return Object.keys(entry.changes || {}).filter(function (k) { return byKey[k]; }).map(function (k) {
          var pair = entry.changes[k] || [], f = byKey[k];
          var shown = function (v) { return f.type === "subform" ? jimu.esc((config.words.rows_n || "{n}").replace("{n}", (v || []).length)) : jimu.showValue(f, v, config.words) || "—"; };
          return { key: k, label: jimu.pick(f.label), old: shown(pair[0]), new: shown(pair[1]) };
        });
      },
      async explain(userId) {
        this.explanation = null; this.explainError = "";
        if (!userId) return;
        try {
          var found = await jimu.api("GET", base + "/explain?user=" + encodeURIComponent(userId));
          if (!this.roleNames) {
            var names = {};
            (await jimu.api("GET", "/api/apps/" + config.app + "/roles")).forEach(function (r) { names[r.key] = r.name; });
            this.roleNames = names;
          }
          var departments = found.roles.map(function (c) { return c.via.indexOf("department:") === 0 ? Number(c.via.slice(11)) : null; });
          await jimu.loadNames([], departments.filter(Boolean));
          if (userId === this.explainUser) this.explanation = found;
        } catch (problem) { this.explainError = jimu.problemText(problem); }
      },
      roleName(key) { return jimu.pick((this.roleNames || {})[key]) || key; },
      heldVia(via) {
        if (via === "user") return this.w("via_user");
        if (via === "all_users") return this.w("via_all_users");
        return this.w("via_department").replace("{name}", jimu.departmentName(Number(via.slice(11))));
      },
      scopeText(scope) { return this.w("scope_" + scope.type) + (scope.filter ? ": " + scope.filter : ""); },
      fieldLabel(key) { return byKey[key] ? jimu.pick(byKey[key].label) : key; },
      async openComments() {
        this.tab = "comments";
        try { this.comments = await jimu.api("GET", base + "/comments"); } catch (problem) { this.error = jimu.problemText(problem); }
        this.commentsLoaded = true;
      },
      async addComment() {
        try {
          var comment = await jimu.api("POST", base + "/comments", { body: this.newComment });
          this.comments = this.comments.concat([comment]);
          this.newComment = "";
        } catch (problem) { this.error = jimu.problemText(problem); }
      },
      async deleteComment(comment) {
        try {
          await jimu.api("DELETE", base + "/comments/" + comment.id);
          this.comments = this.comments.filter(function (c) { return c.id !== comment.id; });
        } catch (problem) { this.error = jimu.problemText(problem); }
      },
    };
  };
})();
