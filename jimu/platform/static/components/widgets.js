/* Input widgets of the form page: pickers (members, departments, related records), address
   cascader, location, file uploads with progress, signature pad, rich text; value helpers. */
(function () {
  "use strict";
  var jimu = window.jimu;

  /** "12.5" shifted by 2 places -> "1250"; by -2 -> "0.125" (text, no float rounding). */
  jimu.shiftDecimal = function (value, places) {
    if (value === null || value === undefined || value === "") return places < 0 ? null : "";
    var m = /^\s*(-?)(\d*)(?:\.(\d*))?\s*$/.exec(String(value));
    if (!m) return String(value);
    var digits = (m[2] || "") + (m[3] || ""), point = (m[2] || "").length + places;
    while (point > digits.length) digits += "0";
    while (point < 0) { digits = "0" + digits; point += 1; }
    var whole = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0", frac = digits.slice(point).replace(/0+$/, "");
    return m[1] + whole + (frac ? "." + frac : "");
  };
  jimu.toLocalInput = function (v) { return v ? String(v).replace(" ", "T") : ""; };
  jimu.fromLocalInput = function (v) {
    if (!v) return null;
    var s = v.replace("T", " ");
    return s.length === 16 ? s + ":00" : s;
  };
  jimu.toggle = function (list, key, on) {
    var out = (list || []).filter(function (k) { return k !== key; });
    if (on) out.push(key);
    return out;
  };
  jimu.fileSize = function (n) {
    if (!n && n !== 0) return "";
    return n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KB" : (n / 1048576).toFixed(1) + " MB";
  };
  jimu.pick = function (label) {
    if (!label) return "";
    return jimu.locale === "zh-CN" ? label.zh || label.en || "" : label.en || label.zh || "";
  };
  /** The title of a record of `spec`: its display field, title field, or first text field. */
  jimu.recordTitle = function (record, spec, display) {
    if (!record) return "";
    var key = display || (spec && spec.title_field);
    if (!key && spec) { var first = spec.fields.find(function (f) { return f.type === "text"; }); key = first && first.key; }
    var value = key ? record[key] : null;
    return value !== null && value !== undefined && value !== "" ? String(value) : "#" + record._id;
  };
  function csrf() {
    var m = document.cookie.match(/(?:^|; )jimu_csrftoken=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  /** Uploads a file for a field with progress; resolves with the stored file. */
  jimu.upload = function (where, file, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest(), data = new FormData();
      data.append("file", file, file.name || "file");
      xhr.open("POST", "/api/apps/" + where.app + "/forms/" + where.form + "/files?field=" + encodeURIComponent(where.field));
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total)); };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = { title: xhr.statusText }; }
        if (xhr.status === 201) resolve(body); else reject(body);
      };
      xhr.onerror = function () { reject({ title: "Network error" }); };
      xhr.send(data);
    });
  };
  function problemText(problem) {
    return (problem.errors && problem.errors[0] && problem.errors[0].message) || problem.detail || problem.title || "";
  }
  jimu.problemText = problemText;
  function fileUrl(where, file) {
    var base = "/api/apps/" + where.app + "/forms/" + where.form;
    return where.recordId && !file._pending ? base + "/records/" + where.recordId + "/files/" + file.id : base + "/files/" + file.id;
  }

  var cache = { users: {}, departments: {}, departmentList: null };
  var widgets = (jimu.widgets = {});

  widgets.picker = function (opts) {
    return {
      kind: opts.kind, multiple: !!opts.multiple, readOnly: !!opts.readOnly, value: null, query: "",
      options: [], open: false, active: -1, loading: false, titles: {}, createSrc: "about:blank", creating: false,
      get fieldLabel() { return opts.field; },
      init() {
        this.$watch("value", () => this.loadTitles());
        this.loadTitles();
        window.addEventListener("message", (event) => {
          if (!this.creating || event.origin !== window.location.origin || !event.data || event.data.type !== "jimu:created") return;
          this.creating = false;
          this.$refs.createDialog.close();
          this.pick(this.option(event.data.record));
        });
      },
      ids() { return this.multiple ? this.value || [] : this.value ? [this.value] : []; },
      selected() { return this.ids().map((id) => ({ id: id, title: this.titles[id] || "#" + id })); },
      // a relation picker names its app and target form; member and department pickers
      // (roles page, "who can see this?") have no form and never build record URLs
      targetSpec() { return ((jimu.currentForm && jimu.currentForm.forms) || {})[opts.target]; },
      formPath() { return "/apps/" + opts.app + "/forms/" + opts.target; },
      recordUrl(id) { return this.formPath() + "/records/" + id; },
      option(record) {
        if (this.kind === "member") return { id: record.id, title: record.display_name + " (" + record.username + ")" };
        if (this.kind === "department") return { id: record.id, title: record.name };
        return { id: record._id, title: jimu.recordTitle(record, this.targetSpec(), opts.display), record: record };
      },
      async fetchList(q) {
        if (this.kind === "member") {
          var page = await jimu.api("GET", "/api/users?page_size=20&active=true" + (q ? "&q=" + encodeURIComponent(q) : ""));
          return page.items;
        }
        if (this.kind === "department") {
          cache.departmentList = cache.departmentList || (await jimu.api("GET", "/api/departments")).items;
          return cache.departmentList.filter((d) => !q || d.name.toLowerCase().indexOf(q.toLowerCase()) >= 0).slice(0, 50);
        }
        var url = "/api" + this.formPath() + "/records?page_size=20" + (q ? "&q=" + encodeURIComponent(q) : "");
        return (await jimu.api("GET", url)).items;
      },
      async search() {
        if (this.readOnly) return;
        this.loading = true;
        try {
          this.options = (await this.fetchList(this.query.trim())).map((r) => this.option(r));
          this.active = this.options.length ? 0 : -1;
        } catch (problem) {
          this.options = [];
        } finally {
          this.loading = false;
        }
      },
      move(delta) {
        this.open = true;
        if (this.options.length) this.active = (this.active + delta + this.options.length) % this.options.length;
      },
      choose() { if (this.options[this.active]) this.pick(this.options[this.active]); },
      pick(option) {
        this.titles[option.id] = option.title;
        if (this.multiple) { if (this.ids().indexOf(option.id) < 0) this.value = this.ids().concat([option.id]); }
        else this.value = option.id;
        this.query = ""; this.open = false;
        if (this.kind === "relation") this.$dispatch("relation-picked", { field: opts.field, record: option.record || null });
      },
      unpick(id) {
        this.value = this.multiple ? this.ids().filter((x) => x !== id) : null;
        if (this.kind === "relation") this.$dispatch("relation-picked", { field: opts.field, record: null });
      },
      async loadTitles() {
        for (var id of this.ids()) {
          if (this.titles[id]) continue;
          try {
            if (this.kind === "member") {
              cache.users[id] = cache.users[id] || jimu.api("GET", "/api/users/" + id);
              this.titles[id] = this.option(await cache.users[id]).title;
            } else if (this.kind === "department") {
              cache.departments[id] = cache.departments[id] || jimu.api("GET", "/api/departments/" + id);
              this.titles[id] = (await cache.departments[id]).name;
            } else {
              var record = await jimu.api("GET", "/api" + this.recordUrl(id));
              this.titles[id] = this.option(record).title;
              this.$dispatch("relation-loaded", { field: opts.field, record: record });
            }
          } catch (problem) { this.titles[id] = "#" + id; }
        }
      },
      createNew() {
        this.open = false; this.creating = true;
        this.createSrc = this.formPath() + "/new?embed=1";
        this.$refs.createDialog.showModal();
      },
    };
  };

  var regions = null;
  function loadRegions() {
    if (!regions) regions = fetch("/static/vendor/china-pca.json").then((r) => r.json()).catch(() => ({}));
    return regions;
  }
  widgets.address = function (withDetail) {
    return {
      value: null, withDetail: withDetail, data: {}, province: "", city: "", district: "", detail: "",
      init() {
        loadRegions().then((d) => { this.data = d; });
        this.$watch("value", () => this.read());
        this.read();
      },
      read() {
        var v = this.value || {};
        this.province = v.province || ""; this.city = v.city || ""; this.district = v.district || ""; this.detail = v.detail || "";
      },
      provinces() { return Object.keys(this.data); },
      cities() { return Object.keys(this.data[this.province] || {}); },
      districts() { return (this.data[this.province] || {})[this.city] || []; },
      changed(part) {
        if (part === "province") { this.city = ""; this.district = ""; }
        if (part === "city") this.district = "";
        var out = {};
        ["province", "city", "district", "detail"].forEach((k) => { if (this[k]) out[k] = this[k]; });
        this.value = Object.keys(out).length ? out : null;
      },
    };
  };

  widgets.location = function () {
    return {
      value: null, lat: "", lng: "", label: "",
      init() { this.$watch("value", () => this.read()); this.read(); },
      read() { var v = this.value || {}; this.lat = v.lat ?? ""; this.lng = v.lng ?? ""; this.label = v.label || ""; },
      changed() {
        this.value = this.lat !== "" && this.lng !== "" ? { lat: Number(this.lat), lng: Number(this.lng), label: this.label || null } : null;
      },
    };
  };

  widgets.files = function (opts, where) {
    return {
      value: null, kind: opts.kind, max: opts.max || 10, uploads: [],
      fileUrl(file) { return fileUrl(where, file); },
      choose(event) {
        Array.from(event.target.files).forEach((file) => this.send(file));
        event.target.value = "";
      },
      async send(file) {
        var item = { id: Math.random().toString(36).slice(2), name: file.name, percent: 0, error: "" };
        this.uploads.push(item);
        var tracked = this.uploads[this.uploads.length - 1];
        try {
          var stored = await jimu.upload(where, file, (p) => { tracked.percent = p; });
          stored._pending = true;
          this.value = (this.value || []).concat([stored]);
          this.uploads = this.uploads.filter((u) => u !== tracked);
        } catch (problem) {
          tracked.error = problemText(problem);
        }
      },
      remove(n) { var list = (this.value || []).slice(); list.splice(n, 1); this.value = list; },
    };
  };

  widgets.signature = function (where) {
    return {
      value: null, drawing: false, busy: false, error: "", down: false, dirty: false,
      fileUrl(file) { return fileUrl(where, file); },
      point(event) {
        var rect = this.$refs.pad.getBoundingClientRect();
        return [((event.clientX - rect.left) * this.$refs.pad.width) / rect.width, ((event.clientY - rect.top) * this.$refs.pad.height) / rect.height];
      },
      start(event) {
        var ctx = this.$refs.pad.getContext("2d"), p = this.point(event);
        ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#1f2430";
        ctx.beginPath(); ctx.moveTo(p[0], p[1]);
        this.down = true; this.dirty = true;
        event.target.setPointerCapture && event.target.setPointerCapture(event.pointerId);
      },
      move(event) {
        if (!this.down) return;
        var ctx = this.$refs.pad.getContext("2d"), p = this.point(event);
        ctx.lineTo(p[0], p[1]); ctx.stroke();
      },
      end() { this.down = false; },
      clear() {
        this.$refs.pad.getContext("2d").clearRect(0, 0, this.$refs.pad.width, this.$refs.pad.height);
        this.dirty = false;
      },
      use() {
        if (!this.dirty) return;
        this.busy = true; this.error = "";
        this.$refs.pad.toBlob(async (blob) => {
          try {
            var stored = await jimu.upload(where, new File([blob], "signature.png", { type: "image/png" }), function () {});
            stored._pending = true;
            this.value = [stored];
            this.drawing = false;
          } catch (problem) {
            this.error = problemText(problem);
          } finally {
            this.busy = false;
          }
        }, "image/png");
      },
    };
  };

  widgets.richtext = function () {
    return {
      value: null,
      init() {
        this.$refs.area.innerHTML = this.value || "";
        this.$watch("value", (v) => { if ((v || "") !== this.$refs.area.innerHTML) this.$refs.area.innerHTML = v || ""; });
      },
      sync() { this.value = this.$refs.area.innerHTML; },
      cmd(name) { this.$refs.area.focus(); document.execCommand(name); this.sync(); },
    };
  };
})();
