/* mamori's own behaviour in a static file: the Content-Security-Policy allows no inline script or
   event-handler attribute.  <select data-autosubmit> submits its form when changed (the list
   filters); without JavaScript the form's button does the same. */
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
});

/* <form data-confirm="…"> asks before an action that cannot be undone (lock, stop, a new temporary
   password, the end of an appointment); cancelling leaves the page as it was. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
}, true);
