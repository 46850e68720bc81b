/* An app's home: create a form, arrange the menu (groups, forms, links) by drag-and-drop. */
(function () {
  "use strict";
  var jimu = window.jimu;

  /** Suggests an ASCII key from an English name: "Sales contract" -> "sales_contract". */
  jimu.slug = function (text, fallback) {
    var key = String(text || "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^[_0-9]+|_+$/g, "");
    return key.slice(0, 40) || fallback || "";
  };

  jimu.newFormForm = function (app) {
    return {
      key: "", name: { zh: "", en: "" }, keyTouched: false, error: "", errors: {}, busy: false,
      suggestKey() { if (!this.keyTouched) this.key = jimu.slug(this.name.en); },
      async submit() {
        this.busy = true; this.error = ""; this.errors = {};
        var key = this.key || jimu.slug(this.name.en, "form_" + Date.now().toString(36));
        try {
          await jimu.api("POST", "/api/apps/" + app + "/forms", { key: key, name: this.name, fields: [] });
          window.location.href = "/apps/" + app + "/forms/" + key + "/design";
        } catch (problem) {
          this.errors = jimu.fieldErrors(problem);
          this.error = problem.detail || problem.title;
        } finally {
          this.busy = false;
        }
      },
    };
  };

  jimu.menuEditor = function (app) {
    return {
      error: "", busy: false,
      init() {
        this.$refs.tree.addEventListener("click", function (event) {
          if (event.target.matches("[data-remove-node]")) event.target.closest(".menu-node").remove();
        });
        this.sortable(this.$refs.tree, true);
        this.$refs.tree.querySelectorAll(".menu-children").forEach((ul) => this.sortable(ul, false));
      },
      sortable(list, top) {
        window.Sortable.create(list, {
          group: { name: "menu", put: top ? true : function (_to, _from, item) { return item.dataset.type !== "group"; } },
          handle: ".handle", animation: 150, fallbackOnBody: true,
        });
      },
      addGroup() {
        var node = this.$refs.groupTemplate.content.firstElementChild.cloneNode(true);
        node.querySelector("[data-remove]").addEventListener("click", (e) => this.removeGroup(e));
        this.$refs.tree.prepend(node);
        this.sortable(node.querySelector(".menu-children"), false);
        node.querySelector("input").focus();
      },
      addLink() {
        var node = this.$refs.linkTemplate.content.firstElementChild.cloneNode(true);
        this.$refs.tree.prepend(node);
        node.querySelector("input").focus();
      },
      removeGroup(event) {
        var group = event.target.closest(".menu-node");
        group.querySelectorAll(".menu-children > .menu-node").forEach((child) => group.before(child));
        group.remove();
      },
      entry(node) {
        if (node.dataset.type === "link") {
          return {
            type: "link",
            label: { zh: node.querySelector(".link-zh").value.trim(), en: node.querySelector(".link-en").value.trim() },
            url: node.querySelector(".link-url").value.trim(),
          };
        }
        return { type: node.dataset.type, key: node.dataset.key };
      },
      read() {
        var items = [];
        this.$refs.tree.querySelectorAll(":scope > .menu-node").forEach((node) => {
          if (node.dataset.type !== "group") { items.push(this.entry(node)); return; }
          var label = { zh: node.querySelector(".group-zh").value.trim(), en: node.querySelector(".group-en").value.trim() };
          var children = Array.from(node.querySelectorAll(".menu-children > .menu-node")).map((c) => this.entry(c));
          items.push({ type: "group", label: label, children: children });
        });
        return items;
      },
      async save() {
        this.busy = true; this.error = "";
        try {
          await jimu.api("PUT", "/api/apps/" + app + "/menu", { items: this.read() });
          window.location.reload();
        } catch (problem) {
          this.error = (problem.errors || []).map(function (e) { return e.message; }).join(" ") || problem.detail || problem.title;
        } finally {
          this.busy = false;
        }
      },
    };
  };
})();
