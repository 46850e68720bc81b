/* The app admins' roles page: roles and their members (users, departments, everyone), and
   each form's permission set (a preset, actions, data scopes, field modes), saved through
   the permission API; the server's errors are shown next to their fields. */
(function () {
  "use strict";
  var jimu = window.jimu;
  var ACTIONS = ["view", "create", "edit", "delete", "import", "export", "print", "comment"];
  var SCOPES = ["all", "own", "department", "department_tree", "subordinates", "custom", "none"];
  var MODES = ["hidden", "read", "edit"];

  function clone(value) { return JSON.parse(JSON.stringify(value)); }
  function scopeOf(s) { return { type: (s && s.type) || "all", filter: (s && s.filter) || "" }; }
  function sameSet(a, b) { return a.length === b.length && a.every(function (x) { return b.indexOf(x) >= 0; }); }

  /** A form's permission set as the page edits it (no set at all: no actions). */
  function editable(perm) {
    perm = perm || { actions: [], view_scope: { type: "all" }, edit_scope: { type: "own" }, fields: {} };
    return {
      actions: perm.actions.slice(), view_scope: scopeOf(perm.view_scope),
      edit_scope: scopeOf(perm.edit_scope), fields: Object.assign({}, perm.fields),
    };
  }

  /** The body of PUT .../roles/{role}/forms/{form}: a filter only for a custom scope. */
  function permissionBody(perm) {
    function scope(s) { return s.type === "custom" ? { type: s.type, filter: s.filter || "" } : { type: s.type }; }
    return {
      actions: ACTIONS.filter(function (a) { return perm.actions.indexOf(a) >= 0; }),
      view_scope: scope(perm.view_scope), edit_scope: scope(perm.edit_scope), fields: Object.assign({}, perm.fields),
    };
  }

  /** {path: message} of a problem, paths made relative to `prefix`; "_" when none is named. */
  function errorsOf(problem, prefix) {
    var out = {};
    (problem.errors || []).forEach(function (e) {
      var path = e.field || "";
      if (prefix && path.indexOf(prefix) === 0) path = path.slice(prefix.length);
      out[path || "_"] = out[path || "_"] || e.message;
    });
    if (!Object.keys(out).length) out._ = jimu.problemText(problem);
    return out;
  }

  jimu.rolesPage = function (config) {
    var base = "/api/apps/" + config.app + "/roles";
    return {
      ACTIONS: ACTIONS, SCOPES: SCOPES, MODES: MODES, app: config.app, words: config.words, forms: config.forms,
      roles: [], presets: [], key: "", draft: null, perms: {}, openForm: "", errors: {}, formErrors: {},
      saved: "", error: "", busy: false, newRole: { key: "", name: { zh: "", en: "" } }, newErrors: {}, keyTouched: false,

      async init() {
        try {
          var loaded = await Promise.all([jimu.api("GET", base), jimu.api("GET", "/api/permission-presets")]);
          this.presets = loaded[1];
          this.roles = loaded[0];
          if (this.roles.length) this.select(this.roles[0].key);
        } catch (problem) { this.error = jimu.problemText(problem); }
      },
      w(key) { return this.words[key] || key; },
      pick(label) { return jimu.pick(label); },
      get role() { var key = this.key; return this.roles.find(function (r) { return r.key === key; }) || null; },

      // -- roles and their members -------------------------------------------------------
      select(key) {
        var role = this.roles.find(function (r) { return r.key === key; });
        if (!role) return;
        this.key = key; this.errors = {}; this.formErrors = {}; this.saved = ""; this.openForm = "";
        this.draft = { name: { zh: role.name.zh || "", en: role.name.en || "" }, all_users: role.all_users, members: clone(role.members) };
        var perms = {};
        this.forms.forEach(function (f) { perms[f.key] = editable(role.permissions[f.key]); });
        this.perms = perms;
      },
      replace(role) { this.roles = this.roles.map(function (r) { return r.key === role.key ? role : r; }); },
      async saveRole() {
        var role = this.role, body = { all_users: this.draft.all_users, members: this.draft.members };
        if (!role.is_system) body.name = this.draft.name;
        this.busy = true; this.errors = {}; this.saved = "";
        try {
          this.replace(await jimu.api("PATCH", base + "/" + role.key, body));
          this.saved = "role";
        } catch (problem) { this.errors = errorsOf(problem, ""); } finally { this.busy = false; }
      },
      async deleteRole() {
        if (!window.confirm(this.w("confirm_delete_role"))) return;
        var key = this.key;
        this.busy = true; this.errors = {};
        try {
          await jimu.api("DELETE", base + "/" + key);
          this.roles = this.roles.filter(function (r) { return r.key !== key; });
          this.draft = null;
          if (this.roles.length) this.select(this.roles[0].key);
        } catch (problem) { this.errors = errorsOf(problem, ""); } finally { this.busy = false; }
      },
      openNewRole() {
        this.newRole = { key: "", name: { zh: "", en: "" } }; this.newErrors = {}; this.keyTouched = false;
        this.$refs.newRoleDialog.showModal();
      },
      suggestKey() { if (!this.keyTouched) this.newRole.key = jimu.slug(this.newRole.name.en); },
      async createRole() {
        this.busy = true; this.newErrors = {};
        try {
          var role = await jimu.api("POST", base, this.newRole);
          this.roles = this.roles.concat([role]);
          this.select(role.key);
          this.$refs.newRoleDialog.close();
        } catch (problem) { this.newErrors = errorsOf(problem, ""); } finally { this.busy = false; }
      },

      // -- a form's permission set -------------------------------------------------------
      toggleForm(formKey) { this.openForm = this.openForm === formKey ? "" : formKey; },
      presetOf(formKey) {
        var perm = this.perms[formKey];
        if (!perm || !perm.actions.length) return "";
        var found = this.presets.find(function (p) {
          var set = p.permission;
          return sameSet(set.actions, perm.actions) && set.view_scope.type === perm.view_scope.type && set.edit_scope.type === perm.edit_scope.type &&
            perm.view_scope.type !== "custom" && perm.edit_scope.type !== "custom";
        });
        return found ? found.key : "";
      },
      summary(formKey) {
        var key = this.presetOf(formKey), preset = this.presets.find(function (p) { return p.key === key; });
        if (!this.perms[formKey].actions.length) return this.w("no_access");
        return preset ? this.pick(preset.name) : this.w("custom_set");
      },
      applyPreset(formKey, presetKey) {
        var preset = this.presets.find(function (p) { return p.key === presetKey; });
        if (!preset) return;
        var perm = this.perms[formKey];
        perm.actions = preset.permission.actions.slice();
        perm.view_scope = scopeOf(preset.permission.view_scope);
        perm.edit_scope = scopeOf(preset.permission.edit_scope);
      },
      toggleAction(formKey, action, on) {
        var perm = this.perms[formKey];
        perm.actions = perm.actions.filter(function (a) { return a !== action; }).concat(on ? [action] : []);
      },
      setScope(formKey, which, type) {
        this.perms[formKey][which] = { type: type, filter: type === "custom" ? this.perms[formKey][which].filter : "" };
      },
      setMode(formKey, fieldKey, mode) {
        var fields = Object.assign({}, this.perms[formKey].fields);
        if (mode) fields[fieldKey] = mode; else delete fields[fieldKey];
        this.perms[formKey].fields = fields;
      },
      defaultMode(formKey) {
        var writes = this.perms[formKey].actions.some(function (a) { return a === "create" || a === "edit"; });
        return this.w("mode_default") + " (" + this.w(writes ? "mode_edit" : "mode_read") + ")";
      },
      formError(formKey, path) {
        var errors = this.formErrors[formKey] || {};
        var found = Object.keys(errors).find(function (k) { return k === path || k.indexOf(path + ".") === 0; });
        return found ? errors[found] : "";
      },
      async saveForm(formKey) {
        var role = this.role;
        this.busy = true; this.saved = ""; this.formErrors = Object.assign({}, this.formErrors, { [formKey]: {} });
        try {
          var updated = await jimu.api("PUT", base + "/" + role.key + "/forms/" + formKey, permissionBody(this.perms[formKey]));
          this.replace(updated);
          this.perms[formKey] = editable(updated.permissions[formKey]);
          this.saved = formKey;
        } catch (problem) {
          this.formErrors = Object.assign({}, this.formErrors, { [formKey]: errorsOf(problem, "permissions." + formKey + ".") });
        } finally { this.busy = false; }
      },
    };
  };
})();
