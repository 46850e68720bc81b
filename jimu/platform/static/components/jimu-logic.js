/* The expression language's operations for json-logic-js: live formulas in the browser.
   Semantics follow the server: blank (null) propagates through arithmetic, = is null-safe,
   < > with a blank are false, & treats blank as "", dates are "YYYY-MM-DD" text. */
(function (root) {
  "use strict";

  function register(jsonLogic) {
    var blank = function (v) { return v === null || v === undefined; };
    var truthy = function (v) { return !blank(v) && v !== false && v !== 0 && v !== ""; };
    var num = function (v) { return blank(v) ? null : Number(v); };
    var isDate = function (v) { return typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v); };
    var pad = function (n, w) { var s = String(Math.abs(n)); while (s.length < w) s = "0" + s; return s; };
    var toDate = function (v) {
      if (blank(v)) return null;
      var m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?/.exec(String(v));
      if (!m) return null;
      var t = utc(+m[1], +m[2] - 1, +m[3]);
      t.setUTCHours(+(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
      return t;
    };
    var hasTime = function (v) { return typeof v === "string" && v.length > 10; };
    var dateText = function (d) { return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2); };
    var datetimeText = function (d) {
      return dateText(d) + " " + pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2);
    };
    var utc = function (y, m, d) { var t = new Date(0); t.setUTCFullYear(y, m, d); return t; };
    var validYear = function (d) { return d && d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999; };
    var DAY = 86400000;
    var zeros = function (n) { return n > 0 ? new Array(n + 1).join("0") : ""; };
    /* Numbers are rounded on their shortest decimal digits (as Python reads a float), so
       2.675 rounds to 2.68 and big numbers never turn into exponents. */
    var decimalOf = function (x) {  // |x| = 0.digits × 10^point
      var m = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(x.toExponential());
      var digits = (m[2] + (m[3] || "")).replace(/0+$/, "");
      return { neg: m[1] === "-", digits: digits === "0" ? "" : digits, point: +m[4] + 1 };
    };
    var roundAt = function (dec, places, mode) {  // mode: "half" | "up" | "down", away from zero
      var keep = dec.point + places, digits = dec.digits, point = dec.point;
      if (keep >= digits.length) return dec;
      var dropped = digits.slice(Math.max(keep, 0));
      var up = mode === "half" ? keep >= 0 && dropped.charAt(0) >= "5" : mode === "up" && /[1-9]/.test(dropped);
      digits = keep > 0 ? digits.slice(0, keep) : "";
      if (up) {
        var i = digits.length - 1;
        while (i >= 0 && digits.charAt(i) === "9") i--;
        if (i < 0) { digits = "1" + zeros(digits.length); point = keep > 0 ? point + 1 : point + 1 - keep; }
        else digits = digits.slice(0, i) + String(+digits.charAt(i) + 1) + zeros(digits.length - 1 - i);
      }
      digits = digits.replace(/0+$/, "");
      return { neg: dec.neg, digits: digits, point: digits ? point : 0 };
    };
    var plain = function (dec, places) {  // whole digits (no leading zeros) and `places` decimals
      var d = dec.digits, p = dec.point, whole, frac;
      if (p <= 0) { whole = ""; frac = zeros(-p) + d; }
      else { whole = (d + zeros(p - d.length)).slice(0, p); frac = d.slice(p); }
      frac = (frac + zeros(places)).slice(0, Math.max(places, 0));
      return { whole: whole.replace(/^0+/, ""), frac: frac };
    };
    var significant = function (x) {  // 15 significant digits, as numbers show as text
      var dec = decimalOf(x);
      return dec.digits ? roundAt(dec, 15 - dec.point, "half") : dec;
    };
    var numberText = function (v) {
      if (!isFinite(v)) return "";
      var dec = significant(v);
      if (!dec.digits) return "0";
      var parts = plain(dec, Math.max(0, dec.digits.length - dec.point));
      return (dec.neg ? "-" : "") + (parts.whole || "0") + (parts.frac ? "." + parts.frac : "");
    };
    var text = function (v) {
      if (blank(v)) return "";
      if (v === true) return "TRUE";
      if (v === false) return "FALSE";
      if (typeof v === "number") return numberText(v);
      return String(v);
    };
    var fromDecimal = function (dec) {
      if (!dec.digits) return 0;
      var parts = plain(dec, Math.max(0, dec.digits.length - dec.point));
      return Number((dec.neg ? "-" : "") + (parts.whole || "0") + "." + (parts.frac || "0"));
    };
    /* A computed number as anything but arithmetic sees it: 15 significant digits, as the
       server settles it (runtime.settle), so 1/3*3 = 1 and INT(10/3*3) = 10. */
    var settle = function (x) {
      if (Array.isArray(x)) return x.map(settle);
      return typeof x === "number" && isFinite(x) ? fromDecimal(significant(x)) : x;
    };
    var MAX_PLACES = 1000;
    var places = function (d) {  // ROUND's digits: 0 when blank, within ±MAX_PLACES
      return Math.max(-MAX_PLACES, Math.min(MAX_PLACES, blank(d) ? 0 : Math.trunc(d)));
    };
    var roundHalf = function (x, d) {
      if (!isFinite(x)) return x;
      return fromDecimal(roundAt(decimalOf(x), places(d), "half"));
    };
    var roundMode = function (x, d, mode) {
      if (blank(x)) return null;
      if (!isFinite(x)) return x;
      return fromDecimal(roundAt(decimalOf(x), places(d), mode));
    };
    /* A blank count or start counts as 0, as in Excel; only a left-out one (undefined)
       takes its default. */
    var count = function (n, omitted) {  // a negative one is -1: not valid
      return n === undefined ? omitted : blank(n) ? 0 : n < 0 ? -1 : Math.trunc(n);
    };
    var whole = function (n) { return blank(n) ? 0 : Math.trunc(n); };  // months, days to add
    /* TEXT(value, format): the same format rules as the server (runtime.number_format and
       runtime.date_tokens). */
    var numberFormat = function (pattern) {
      var m = /[#0,]*[#0](?:\.[#0]*)?|\.[#0]+/.exec(pattern);
      if (!m) return null;
      var prefix = pattern.slice(0, m.index), suffix = pattern.slice(m.index + m[0].length);
      if (/[#0.,]/.test(prefix + suffix)) return null;
      var dot = m[0].indexOf("."), whole = dot < 0 ? m[0] : m[0].slice(0, dot);
      var decimals = dot < 0 ? "" : m[0].slice(dot + 1);
      return {
        prefix: prefix, suffix: suffix, minDigits: (whole.match(/0/g) || []).length,
        grouped: whole.indexOf(",") >= 0, decimals: decimals.length,
        required: decimals.lastIndexOf("0") + 1, point: dot >= 0,
        percent: (prefix + suffix).indexOf("%") >= 0,
      };
    };
    var formatNumber = function (v, pattern) {
      var fmt = numberFormat(pattern);
      if (!fmt || !isFinite(v)) return numberText(v);
      var dec = significant(v);
      if (fmt.percent && dec.digits) dec = { neg: dec.neg, digits: dec.digits, point: dec.point + 2 };
      dec = roundAt(dec, fmt.decimals, "half");
      var parts = plain(dec, fmt.decimals), whole = parts.whole;
      while (whole.length < fmt.minDigits) whole = "0" + whole;
      if (fmt.grouped) whole = whole.replace(/\B(?=(\d{3})+$)/g, ",");
      var frac = parts.frac.slice(0, fmt.required) + parts.frac.slice(fmt.required).replace(/0+$/, "");
      var sign = dec.neg && dec.digits ? "-" : "";
      return sign + fmt.prefix + whole + (fmt.point ? "." + frac : "") + fmt.suffix;
    };
    /* TEXT's date/time codes: the same tokens as the server (formats.date_tokens). */
    var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December"];
    var WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    var CHINESE_WEEKDAYS = "日一二三四五六";
    var LONGEST = { y: 4, m: 5, d: 4, h: 2, s: 2 };
    var AMPM = /am\/pm|a\/p/iy;
    var repeat = function (c, n) { return new Array(n + 1).join(c); };
    var runCodes = function (letter, run) {
      var out = [], i;
      if (letter === "y") {
        for (i = 0; i < Math.floor(run / 4); i++) out.push("yyyy");
        if (run % 4 >= 3) out.push("yyyy"); else if (run % 4) out.push("yy");
        return out;
      }
      var longest = LONGEST[letter];
      for (i = 0; i < Math.floor(run / longest); i++) out.push(repeat(letter, longest));
      if (run % longest) out.push(repeat(letter, run % longest));
      return out;
    };
    var scanDate = function (pattern) {
      var tokens = [], i = 0;
      while (i < pattern.length) {
        var ch = pattern.charAt(i), letter = lower(ch);
        AMPM.lastIndex = i;
        var ampm = AMPM.exec(pattern);
        if (ampm) {
          tokens.push([ampm[0].charAt(0) === "A" ? ampm[0].toUpperCase() : ampm[0].toLowerCase(), ""]);
          i += ampm[0].length;
        } else if (LONGEST[letter] || (letter === "a" && lower(pattern.substr(i, 3)) === "aaa")) {
          var end = i;
          while (end < pattern.length && lower(pattern.charAt(end)) === letter) end++;
          var run = end - i, k;
          if (letter === "a") {
            for (k = 0; k < Math.floor(run / 4); k++) tokens.push(["aaaa", ""]);
            if (run % 4 === 3) tokens.push(["aaa", ""]);
            else if (run % 4) tokens.push(["", repeat("a", run % 4)]);
          } else {
            runCodes(letter, run).forEach(function (c) { tokens.push([c, ""]); });
          }
          i = end;
        } else if (ch === '"') {
          var close = pattern.indexOf('"', i + 1), stop = close < 0 ? pattern.length : close;
          tokens.push(["", pattern.slice(i + 1, stop)]);
          i = stop + 1;
        } else if (ch === "\\" && i + 1 < pattern.length) {
          tokens.push(["", pattern.charAt(i + 1)]);
          i += 2;
        } else {
          tokens.push(["", ch]);
          i++;
        }
      }
      return tokens;
    };
    var dateTokens = function (pattern) {
      var tokens = scanDate(pattern), positions = [], codes = [];
      tokens.forEach(function (t, i) { if (t[0]) { positions.push(i); codes.push(t[0]); } });
      var twelve = codes.some(function (c) { return c.toLowerCase() === "am/pm" || c.toLowerCase() === "a/p"; });
      positions.forEach(function (index, p) {
        var code = codes[p], before = p ? codes[p - 1] : "", after = p + 1 < codes.length ? codes[p + 1] : "";
        if ((code === "m" || code === "mm") && (before === "h" || before === "hh" || after === "s" || after === "ss")) {
          code = code === "m" ? "n" : "nn";
        } else if ((code === "h" || code === "hh") && twelve) code += "12";
        tokens[index] = [code, ""];
      });
      return tokens;
    };
    var formatDate = function (v, pattern) {
      var d = toDate(v);
      if (!d) return "";
      var month = MONTHS[d.getUTCMonth()], weekday = d.getUTCDay(), hour = d.getUTCHours();
      var hour12 = hour % 12 || 12, morning = hour < 12;
      var values = {
        yyyy: pad(d.getUTCFullYear(), 4), yy: pad(d.getUTCFullYear() % 100, 2),
        m: String(d.getUTCMonth() + 1), mm: pad(d.getUTCMonth() + 1, 2),
        mmm: month.slice(0, 3), mmmm: month, mmmmm: month.charAt(0),
        d: String(d.getUTCDate()), dd: pad(d.getUTCDate(), 2),
        ddd: WEEKDAYS[weekday].slice(0, 3), dddd: WEEKDAYS[weekday],
        h: String(hour), hh: pad(hour, 2), h12: String(hour12), hh12: pad(hour12, 2),
        n: String(d.getUTCMinutes()), nn: pad(d.getUTCMinutes(), 2),
        s: String(d.getUTCSeconds()), ss: pad(d.getUTCSeconds(), 2),
        "AM/PM": morning ? "AM" : "PM", "am/pm": morning ? "am" : "pm",
        "A/P": morning ? "A" : "P", "a/p": morning ? "a" : "p",
        aaa: CHINESE_WEEKDAYS.charAt(weekday), aaaa: "星期" + CHINESE_WEEKDAYS.charAt(weekday),
      };
      return dateTokens(pattern).map(function (t) { return t[0] ? values[t[0]] : t[1]; }).join("");
    };
    /* DATE's year rule (runtime.excel_year): 0–1899 are years after 1900. */
    var excelYear = function (y) { return y >= 0 && y < 1900 ? y + 1900 : y; };
    var VALUE_PATTERN = /^[ \t\r\n]*([-+]?)((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:[.][0-9]*)?|[.][0-9]+)(?:[eE]([-+]?[0-9]+))?(%?)[ \t\r\n]*$/;
    var value = function (s) {
      if (blank(s) || String(s).length > 100) return null;
      var m = VALUE_PATTERN.exec(String(s));
      if (!m || (m[3] && Math.abs(Number(m[3])) > 1000)) return null;
      var x = Number(m[1] + m[2].replace(/,/g, "") + (m[3] ? "e" + m[3] : ""));
      if (m[4]) x = x / 100;
      return Math.abs(x) < 1e40 ? x : null;
    };
    var cmp = function (a, b) {
      if (isDate(a) && isDate(b) && hasTime(a) !== hasTime(b)) {
        a = hasTime(a) ? a : a + " 00:00:00";
        b = hasTime(b) ? b : b + " 00:00:00";
      }
      return a < b ? -1 : a > b ? 1 : 0;
    };
    var eq = function (a, b) {
      if (blank(a) || blank(b)) return blank(a) && blank(b);
      return cmp(a, b) === 0;
    };
    var present = function (list) { return (list || []).filter(function (v) { return !blank(v); }); };
    var flatten = function (args) {
      var out = [];
      args.forEach(function (a) { if (Array.isArray(a)) out.push.apply(out, a); else out.push(a); });
      return out;
    };
    var addMonths = function (d, months) {
      var total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
      var y = Math.floor(total / 12), m = total - y * 12;
      var last = utc(y, m + 1, 0).getUTCDate();
      var out = utc(y, m, Math.min(d.getUTCDate(), last));
      out.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
      return out;
    };
    var asDateText = function (d, like) { return validYear(d) ? (hasTime(like) ? datetimeText(d) : dateText(d)) : null; };
    var upper = function (s) { return (s || "").replace(/[a-z]+/g, function (m) { return m.toUpperCase(); }); };
    var lower = function (s) { return (s || "").replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); }); };
    var chars = function (s) { return Array.from(s || ""); };

    var ops = {
      "j.add": function (a, b) {
        if (blank(a) || blank(b)) return null;
        if (isDate(a)) return asDateText(new Date(toDate(a).getTime() + Math.trunc(b) * DAY), a);
        if (isDate(b)) return asDateText(new Date(toDate(b).getTime() + Math.trunc(a) * DAY), b);
        return a + b;
      },
      "j.sub": function (a, b) {
        if (blank(a) || blank(b)) return null;
        if (isDate(a) && isDate(b)) {
          var days = (toDate(a) - toDate(b)) / DAY;
          return hasTime(a) || hasTime(b) ? days : Math.round(days);
        }
        if (isDate(a)) return asDateText(new Date(toDate(a).getTime() - Math.trunc(b) * DAY), a);
        return a - b;
      },
      "j.mul": function (a, b) { return blank(a) || blank(b) ? null : a * b; },
      "j.div": function (a, b) { return blank(a) || blank(b) || b === 0 ? null : a / b; },
      "j.pow": function (a, b) {  // runtime.power: computed, then checked
        if (blank(a) || blank(b)) return null;
        if (a === 0 && b <= 0) return null;
        if (a < 0 && b !== Math.trunc(b)) return null;
        var r = Math.pow(a, b);
        if (!isFinite(r) || Math.abs(r) >= 1e40) return null;
        return Math.abs(r) < 1e-40 ? 0 : r;
      },
      "j.settle": settle,
      "j.neg": function (a) { return blank(a) ? null : -a; },
      "j.concat": function (a, b) { return text(a) + text(b); },
      "j.eq": eq,
      "j.ne": function (a, b) { return !eq(a, b); },
      "j.lt": function (a, b) { return !blank(a) && !blank(b) && cmp(a, b) < 0; },
      "j.le": function (a, b) { return !blank(a) && !blank(b) && cmp(a, b) <= 0; },
      "j.gt": function (a, b) { return !blank(a) && !blank(b) && cmp(a, b) > 0; },
      "j.ge": function (a, b) { return !blank(a) && !blank(b) && cmp(a, b) >= 0; },
      "j.and": function (a, b) { return truthy(a) && truthy(b); },
      "j.or": function (a, b) { return truthy(a) || truthy(b); },
      "j.not": function (a) { return !truthy(a); },
      "j.bool": function (a) { return truthy(a); },
      "j.in": function (x) { var rest = Array.prototype.slice.call(arguments, 1); return rest.some(function (c) { return eq(x, c); }); },
      "j.notin": function (x) { var rest = Array.prototype.slice.call(arguments, 1); return !rest.some(function (c) { return eq(x, c); }); },
      "j.IF": function (c, a, b) { return truthy(c) ? a : (b === undefined ? null : b); },
      "j.IFS": function () {
        for (var i = 0; i + 1 < arguments.length; i += 2) if (truthy(arguments[i])) return arguments[i + 1];
        return null;
      },
      "j.SWITCH": function (subject) {
        var rest = Array.prototype.slice.call(arguments, 1);
        for (var i = 0; i + 1 < rest.length; i += 2) if (eq(subject, rest[i])) return rest[i + 1];
        return rest.length % 2 ? rest[rest.length - 1] : null;
      },
      "j.AND": function () { return Array.prototype.every.call(arguments, truthy); },
      "j.OR": function () { return Array.prototype.some.call(arguments, truthy); },
      "j.NOT": function (a) { return !truthy(a); },
      "j.ISBLANK": function (v) { return blank(v) || v === ""; },
      "j.COALESCE": function () { var a = Array.prototype.find.call(arguments, function (v) { return !blank(v); }); return blank(a) ? null : a; },
      "j.IFERROR": function (v, f, asText) {  // asText: value and fallback differ in type
        var chosen = blank(v) ? f : v;
        return asText && !blank(chosen) ? text(chosen) : chosen;
      },
      "j.SUM": function () { return present(flatten(Array.from(arguments))).reduce(function (s, v) { return s + v; }, 0); },
      "j.AVERAGE": function () {
        var items = present(flatten(Array.from(arguments)));
        return items.length ? items.reduce(function (s, v) { return s + v; }, 0) / items.length : null;
      },
      "j.MIN": function () {
        var items = present(flatten(Array.from(arguments)));
        return items.length ? items.reduce(function (m, v) { return cmp(v, m) < 0 ? v : m; }) : null;
      },
      "j.MAX": function () {
        var items = present(flatten(Array.from(arguments)));
        return items.length ? items.reduce(function (m, v) { return cmp(v, m) > 0 ? v : m; }) : null;
      },
      "j.COUNT": function () { return present(flatten(Array.from(arguments))).length; },
      "j.COUNTIF": function (values, conds) {
        return (values || []).filter(function (v, i) { return !blank(v) && truthy(conds[i]); }).length;
      },
      "j.SUMIF": function (values, conds) {
        return (values || []).reduce(function (s, v, i) { return !blank(v) && truthy(conds[i]) ? s + v : s; }, 0);
      },
      "j.ROUND": function (x, d) { return blank(x) ? null : roundHalf(x, d); },
      "j.ROUNDUP": function (x, d) { return roundMode(x, d, "up"); },
      "j.ROUNDDOWN": function (x, d) { return roundMode(x, d, "down"); },
      "j.INT": function (x) { return blank(x) ? null : Math.floor(x); },
      "j.ABS": function (x) { return blank(x) ? null : Math.abs(x); },
      "j.MOD": function (a, b) { return blank(a) || blank(b) || b === 0 ? null : a - b * Math.floor(a / b); },
      "j.POWER": function (a, b) { return ops["j.pow"](a, b); },
      "j.SQRT": function (x) { return blank(x) || x < 0 ? null : Math.sqrt(x); },
      "j.CONCAT": function () { return Array.prototype.map.call(arguments, text).join(""); },
      "j.LEFT": function (s, n) { var c = count(n, 1); return c < 0 ? null : chars(s).slice(0, c).join(""); },
      "j.RIGHT": function (s, n) {
        var c = count(n, 1);
        if (c < 0) return null;
        var cs = chars(s);
        return c ? cs.slice(Math.max(0, cs.length - c)).join("") : "";
      },
      "j.MID": function (s, start, n) {
        var b = count(start) - 1, c = count(n);
        if (b < 0 || c < 0) return null;
        return chars(s).slice(b, b + c).join("");
      },
      "j.LEN": function (s) { return chars(s).length; },
      "j.UPPER": upper,
      "j.LOWER": lower,
      "j.TRIM": function (s) { return (s || "").replace(/^ +| +$/g, "").replace(/ {2,}/g, " "); },
      "j.SUBSTITUTE": function (s, o, n) { return o ? (s || "").split(o).join(n || "") : (s || ""); },
      "j.REPLACE": function (s, start, n, r) {
        var b = count(start) - 1, c = count(n);
        if (b < 0 || c < 0) return null;
        var cs = chars(s);
        return cs.slice(0, b).join("") + (r || "") + cs.slice(b + c).join("");
      },
      "j.FIND": function (needle, hay, start) {
        var b = count(start, 1);
        var cs = chars(hay), nd = chars(needle);
        if (b < 1 || b > cs.length + 1) return null;
        for (var i = b - 1; i + nd.length <= cs.length; i++) {
          if (cs.slice(i, i + nd.length).join("") === nd.join("")) return i + 1;
        }
        return null;
      },
      "j.CONTAINS": function (s, p) { return (s || "").indexOf(p || "") >= 0; },
      "j.STARTSWITH": function (s, p) { return (s || "").indexOf(p || "") === 0; },
      "j.VALUE": value,
      "j.TEXT": function (v, fmt, kind) {
        if (blank(v)) return "";
        var pattern = blank(fmt) ? "" : String(fmt);
        if (kind === "number" || (kind !== "date" && kind !== "datetime" && typeof v === "number")) {
          return formatNumber(v, pattern);
        }
        if (kind === "date" || kind === "datetime") return formatDate(v, pattern);
        return text(v);
      },
      "j.RMB_UPPER": function (amount) { return rmbUpper(amount); },
      "j.DATE": function (y, m, d) {
        if (blank(y) || blank(m) || blank(d)) return null;
        y = excelYear(Math.trunc(y)); m = Math.trunc(m); d = Math.trunc(d);
        if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return null;
        var last = new Date(Date.UTC(2000, m, 0)).getUTCDate();
        if (m === 2) last = (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
        return d > last ? null : pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
      },
      "j.DATETIME": function (y, m, d, h, mi, s) {
        var day = ops["j.DATE"](y, m, d);
        if (h === null || mi === null || s === null) return null;  // a left-out part is 0
        h = count(h, 0); mi = count(mi, 0); s = count(s, 0);
        if (day === null || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
        return day + " " + pad(h, 2) + ":" + pad(mi, 2) + ":" + pad(s, 2);
      },
      "j.YEAR": function (d) { d = toDate(d); return d ? d.getUTCFullYear() : null; },
      "j.MONTH": function (d) { d = toDate(d); return d ? d.getUTCMonth() + 1 : null; },
      "j.DAY": function (d) { d = toDate(d); return d ? d.getUTCDate() : null; },
      "j.WEEKDAY": function (d, k) {
        d = toDate(d); if (!d) return null;
        var iso = d.getUTCDay() || 7; k = count(k, 1);
        return k === 1 ? iso % 7 + 1 : k === 2 ? iso : k === 3 ? iso - 1 : null;
      },
      "j.WEEKNUM": function (d, k) {
        d = toDate(d); if (!d) return null;
        k = count(k, 1);
        var day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
        if (k === 21) {
          var t = new Date(day.getTime()); var dow = t.getUTCDay() || 7;
          t.setUTCDate(t.getUTCDate() + 4 - dow);
          var y1 = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
          return Math.ceil(((t - y1) / DAY + 1) / 7);
        }
        if (k !== 1 && k !== 2) return null;
        var jan1 = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
        var isoJan1 = jan1.getUTCDay() || 7;
        var first = k === 1 ? isoJan1 % 7 : isoJan1 - 1;
        return Math.floor(((day - jan1) / DAY + first) / 7) + 1;
      },
      "j.DATEDIF": function (s, e, unit) {
        s = toDate(s); e = toDate(e);
        if (!s || !e || blank(unit)) return null;
        s = new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate()));
        e = new Date(Date.UTC(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate()));
        if (s > e) return null;
        unit = String(unit).toLowerCase();
        var months = (e.getUTCFullYear() - s.getUTCFullYear()) * 12 + (e.getUTCMonth() - s.getUTCMonth()) - (e.getUTCDate() < s.getUTCDate() ? 1 : 0);
        if (unit === "d") return Math.round((e - s) / DAY);
        if (unit === "m") return months;
        if (unit === "y") return Math.floor(months / 12);
        if (unit === "ym") return months % 12;
        /* runtime._datedif_md and _datedif_yd: days past a month's end roll over, as in
           Excel's DATE (utc() rolls over the same way) */
        if (unit === "md") {
          if (e.getUTCDate() >= s.getUTCDate()) return e.getUTCDate() - s.getUTCDate();
          return Math.round((e - utc(e.getUTCFullYear(), e.getUTCMonth() - 1, s.getUTCDate())) / DAY);
        }
        if (unit === "yd") {
          var after = e.getUTCMonth() > s.getUTCMonth() ||
            (e.getUTCMonth() === s.getUTCMonth() && e.getUTCDate() >= s.getUTCDate());
          if (after) return Math.round((e - utc(e.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate())) / DAY);
          return Math.round((utc(s.getUTCFullYear() + 1, e.getUTCMonth(), e.getUTCDate()) - s) / DAY);
        }
        return null;
      },
      "j.DAYS": function (end, start) {
        end = toDate(end); start = toDate(start);
        if (!end || !start) return null;
        return Math.round((Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate()) -
          Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate())) / DAY);
      },
      "j.DATEADD": function (d, n, unit) {  // a blank count is 0; a blank unit is no unit
        var base = toDate(d);
        if (!base || unit === null) return null;
        n = whole(n); unit = unit === undefined ? "d" : String(unit).toLowerCase();
        var out;
        if (unit === "d") out = new Date(base.getTime() + n * DAY);
        else if (unit === "w") out = new Date(base.getTime() + 7 * n * DAY);
        else if (unit === "m") out = addMonths(base, n);
        else if (unit === "y") out = addMonths(base, 12 * n);
        else return null;
        return asDateText(out, d);
      },
      "j.EOMONTH": function (d, months) {
        var base = toDate(d);
        if (!base) return null;
        var shifted = addMonths(base, whole(months));
        var out = utc(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, 0);
        return validYear(out) ? dateText(out) : null;
      },
      "j.NETWORKDAYS": function (s, e) {
        s = toDate(s); e = toDate(e);
        if (!s || !e) return null;
        var sign = 1;
        if (e < s) { var t = s; s = e; e = t; sign = -1; }
        var span = Math.round((Date.UTC(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate()) -
          Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate())) / DAY) + 1;
        var offset = (s.getUTCDay() || 7) - 1;
        var before = function (x) { return 5 * Math.floor(x / 7) + Math.min(x % 7, 5); };
        return sign * (before(offset + span) - before(offset));
      },
    };

    var DIGITS = "零壹贰叁肆伍陆柒捌玖", UNITS = ["", "拾", "佰", "仟"], SECTIONS = ["", "万", "亿", "万亿"];
    function sectionWords(section) {
      var out = "", zero = false;
      for (var p = 3; p >= 0; p--) {
        var digit = Math.floor(section / Math.pow(10, p)) % 10;
        if (digit === 0) { zero = out !== ""; continue; }
        if (zero) { out += "零"; zero = false; }
        out += DIGITS[digit] + UNITS[p];
      }
      return out;
    }
    function integerWords(number) {
      if (number === 0) return "";
      var sections = [];
      while (number) { sections.push(number % 10000); number = Math.floor(number / 10000); }
      var out = "", needZero = false;
      for (var i = sections.length - 1; i >= 0; i--) {
        var section = sections[i];
        if (section === 0) { needZero = out !== ""; continue; }
        if (out && (needZero || section < 1000)) out += "零";
        out += sectionWords(section) + SECTIONS[i];
        needZero = false;
      }
      return out;
    }
    function rmbUpper(amount) {
      if (blank(amount)) return null;
      var cents = Math.round(Math.abs(amount) + "e2") * (amount < 0 ? -1 : 1);
      if (Math.abs(cents) >= 1e18) return null;
      var negative = cents < 0; cents = Math.abs(cents);
      var integer = Math.floor(cents / 100), rest = cents - integer * 100;
      var jiao = Math.floor(rest / 10), fen = rest % 10;
      var out = (negative ? "负" : "") + (integer ? integerWords(integer) + "元" : "");
      if (jiao === 0 && fen === 0) return (out || "零元") + "整";
      if (jiao) out += DIGITS[jiao] + "角"; else if (integer) out += "零";
      if (fen) out += DIGITS[fen] + "分";
      return out;
    }

    Object.keys(ops).forEach(function (name) { jsonLogic.add_operation(name, ops[name]); });
    return jsonLogic;
  }

  if (typeof module !== "undefined" && module.exports) module.exports = register;
  else if (root.jsonLogic) register(root.jsonLogic);
})(typeof window !== "undefined" ? window : this);
