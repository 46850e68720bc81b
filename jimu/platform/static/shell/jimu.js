/* Jimu's own browser helpers: CSRF header, JSON calls with problem+json errors, small forms. */
(function () {
  "use strict";

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function csrfHeaders() {
    var token = cookie("jimu_csrftoken");
    return token ? { "X-CSRFToken": token } : {};
  }

  /** Calls the JSON API; resolves with the body, rejects with the problem document. */
  var signingOut = false;

  async function api(method, url, body) {
    if (signingOut) {
      // the page is on its way to the sign-in page: a late search or load would only be
      // refused (401) and fail the page, so it waits for the page to go instead
      return new Promise(function () {});
    }
    return request(method, url, body);
  }

  async function request(method, url, body) {
    var headers = Object.assign({ Accept: "application/json" }, csrfHeaders());
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch(url, init);
    var text = await response.text();
    var data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw data || { title: response.statusText, status: response.status, errors: [] };
    }
    return data;
  }

  /** Maps a problem's per-field errors to {field: message}. */
  function fieldErrors(problem) {
    var out = {};
    (problem.errors || []).forEach(function (e) { out[e.field] = e.message; });
    return out;
  }

  // the page's components are live (clicks before this would be lost): tests wait for it
  document.addEventListener("alpine:initialized", function () {
    document.body.dataset.ready = "1";
  });

  document.addEventListener("htmx:configRequest", function (event) {
    Object.assign(event.detail.headers, csrfHeaders());
  });

  // dialog buttons without inline handlers (the Content-Security-Policy forbids them):
  // data-open-dialog="id" opens that dialog, data-close-dialog closes the one it sits in
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (opener) {
      document.getElementById(opener.dataset.openDialog).showModal();
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });

  /** `target` if it is a path on this site, else "/" (never another host or scheme). */
  function localPath(target) {
    if (typeof target !== "string" || !/^\/(?![\/\\])/.test(target) || /[\\\s\u0000-\u001f\u007f]/.test(target)) {
      return "/";
    }
    var url = new URL(target, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  }

  var fieldTypes = null;
  /** What the field type registry says of `type` (the page's #field-types block), or {}. */
  function fieldType(type) {
    if (fieldTypes === null) {
      var block = document.getElementById("field-types");
      fieldTypes = block ? JSON.parse(block.textContent) : {};
    }
    return fieldTypes[type] || {};
  }

  window.jimu = {
    locale: document.documentElement.lang || "en",
    api: api,
    fieldErrors: fieldErrors,
    fieldType: fieldType,

    logout: async function () {
      signingOut = true;
      try {
        await request("POST", "/api/auth/logout");
      } finally {
        window.location.href = "/login";
      }
    },

    localPath: localPath,

    /** The sign-in form; ``nextUrl`` is the server-checked page to go to afterwards. */
    loginForm: function (nextUrl) {
      return {
        username: "", password: "", error: "", busy: false,
        async submit() {
          this.busy = true; this.error = "";
          try {
            await api("POST", "/api/auth/login", { username: this.username, password: this.password });
            window.location.assign(localPath(nextUrl));
          } catch (problem) {
            this.error = problem.detail || problem.title;
          } finally {
            this.busy = false;
          }
        },
      };
    },

    newAppForm: function () {
      return {
        key: "", name: { zh: "", en: "" }, description: "", error: "", errors: {}, busy: false,
        async submit() {
          this.busy = true; this.error = ""; this.errors = {};
          try {
            var app = await api("POST", "/api/apps", {
              key: this.key, name: this.name, description: this.description || null,
            });
            window.location.href = "/apps/" + app.key;
          } catch (problem) {
            this.errors = fieldErrors(problem);
            this.error = problem.detail || problem.title;
          } finally {
            this.busy = false;
          }
        },
      };
    },
  };
})();
