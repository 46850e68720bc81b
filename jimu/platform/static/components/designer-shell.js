/* What every designer shares (forms now; flows, rules, reports, print templates next): undo
   and redo over snapshots, the unsaved-changes guard, save draft, the publish plan and
   publish. A designer mixes it in with jimu.designerShell(endpoints, own) and gives:
     snapshot() → string and restore(string)   its editing state, for undo/redo
     specNow() → object                        what "save draft" sends
     showProblems(problem)                     where to show a refused save or plan
   endpoints: {save: [method, url], plan: url, publish: url}. */
(function () {
  "use strict";
  var jimu = window.jimu;

  /** `own` with the shell's state and methods mixed in (getters kept as getters). */
  jimu.designerShell = function (endpoints, own) {
    var shell = {
      busy: false, savedJson: "", savedOnce: false, history: [], future: [],
      plan: null, planError: "", justPublished: false, publishedVersion: null, formErrors: [],

      /** Call from the designer's init(), once its state is loaded. */
      startShell() {
        this.savedJson = JSON.stringify(this.specNow());
        this.history = [this.snapshot()];
        window.addEventListener("beforeunload", (e) => { if (this.dirty) { e.preventDefault(); e.returnValue = ""; } });
      },
      w(key) { return (this.words && this.words[key]) || key; },
      get dirty() { return JSON.stringify(this.specNow()) !== this.savedJson; },
      get canUndo() { return this.history.length > 1; },
      get canRedo() { return this.future.length > 0; },

      // -- history ----------------------------------------------------------------------
      record() {
        var snap = this.snapshot();
        if (snap === this.history[this.history.length - 1]) return;
        this.history.push(snap);
        if (this.history.length > 200) this.history.shift();
        this.future = [];
      },
      undo() {
        this.record();
        if (this.history.length < 2) return;
        this.future.push(this.history.pop());
        this.restore(this.history[this.history.length - 1]);
      },
      redo() {
        if (!this.future.length) return;
        var snap = this.future.pop();
        this.history.push(snap);
        this.restore(snap);
      },
      onKey(event) {
        var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
        if (!(event.ctrlKey || event.metaKey) || typing) return;
        var key = event.key.toLowerCase();
        if (key === "z" && !event.shiftKey) { event.preventDefault(); this.undo(); }
        else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); this.redo(); }
        else if (key === "s") { event.preventDefault(); this.save(); }
      },

      // -- saving and publishing ----------------------------------------------------------
      async save() {
        this.busy = true;
        var spec = this.specNow();
        try {
          await jimu.api(endpoints.save[0], endpoints.save[1], spec);
          this.savedJson = JSON.stringify(spec);
          this.savedOnce = true;
          this.formErrors = [];
          this.showProblems(null);
          return true;
        } catch (problem) {
          this.showProblems(problem);
          return false;
        } finally {
          this.busy = false;
        }
      },
      async openPlan() {
        if (this.dirty && !(await this.save())) return;
        this.plan = null; this.planError = ""; this.justPublished = false;
        this.$refs.planDialog.showModal();
        try {
          this.plan = await jimu.api("GET", endpoints.plan);
        } catch (problem) {
          this.planError = problem.detail || problem.title;
          this.showProblems(problem);
        }
      },
      async publish() {
        this.busy = true; this.planError = "";
        try {
          var version = await jimu.api("POST", endpoints.publish);
          this.publishedVersion = version.version;
          this.justPublished = true;
        } catch (problem) {
          this.planError = problem.detail || problem.title;
          if (problem.plan) this.plan = { ok: false, steps: problem.plan };
        } finally {
          this.busy = false;
        }
      },
    };
    var merged = {};
    [shell, own].forEach(function (part) {
      Object.defineProperties(merged, Object.getOwnPropertyDescriptors(part));
    });
    return merged;
  };
})();
