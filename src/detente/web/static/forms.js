/* Filter forms (form.filters[method=get]) put only what was chosen in the URL: empty fields and
   fields left at their default (data-default) are not sent. The server treats them the same
   either way; this keeps shareable URLs short. */
(function () {
  "use strict";
  function clean(form) {
    var elements = form.elements;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (!el.name || el.disabled || el.type === "submit") { continue; }
      var fallback = el.getAttribute("data-default");
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked && fallback !== null) { el.disabled = true; }
      } else if (el.value === "" || (fallback !== null && el.value === fallback)) {
        el.disabled = true;
      }
    }
  }
  function restore() {  /* back to a page whose form was cleaned: fields usable again */
    var forms = document.querySelectorAll("form.filters");
    for (var i = 0; i < forms.length; i++) {
      var elements = forms[i].elements;
      for (var j = 0; j < elements.length; j++) { elements[j].disabled = false; }
    }
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.classList && form.classList.contains("filters") && (form.method || "").toLowerCase() === "get") {
      clean(form);
    }
  });
  window.addEventListener("pageshow", restore);
})();
