/* Suggestions under an actor search box (input[data-suggest]): names from /api/actors as you type.
   Without JavaScript the form still works: /actors?q=... goes to the one actor a name leads to. */
(function () {
  "use strict";
  function setup(input) {
    var form = input.form;
    var list = document.createElement("ul");
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    var timer = null, seq = 0, active = -1;

    function hide() { list.hidden = true; active = -1; }
    function items() { return list.querySelectorAll("a"); }
    function mark(n) {
      var links = items();
      for (var i = 0; i < links.length; i++) { links[i].classList.toggle("active", i === n); }
      active = n;
    }
    function show(matches) {
      list.textContent = "";
      matches.forEach(function (m) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/actor/" + encodeURIComponent(m.code);
        a.setAttribute("role", "option");
        var name = document.createElement("span");
        name.textContent = m.name;
        var info = document.createElement("small");
        info.textContent = " " + m.code + " · " + m.kind + (m.note ? " · " + m.note : "") +
          (m.matched && m.matched !== m.name ? " · “" + m.matched + "”" : "") + " · " + m.events + " events";
        a.appendChild(name);
        a.appendChild(info);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = matches.length === 0;
      active = -1;
    }
    function lookup() {
      var q = input.value.trim();
      if (q.length < 2) { hide(); return; }
      var mine = ++seq;
      fetch(input.getAttribute("data-suggest") + "?limit=8&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {matches: []}; })
        .then(function (body) { if (mine === seq) { show(body.matches || []); } })
        .catch(function () { hide(); });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (ev) {
      var links = items();
      if (list.hidden || !links.length) { return; }
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark((active + 1) % links.length); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark((active - 1 + links.length) % links.length); }
      else if (ev.key === "Escape") { hide(); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); window.location.assign(links[active].href); }
    });
    input.addEventListener("blur", function () { window.setTimeout(hide, 200); });
  }
  function init() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) { setup(inputs[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
