// Autosave never overwrites a newer input (issue 10, item 6).
//
// A record page saves itself with htmx on every change and may get its fields back
// (errors, questions that the answers opened or closed). A worker on a tablet keeps
// typing and tapping while that round trip is under way; a response re-rendering the
// fields from the values it was sent would undo what came after (a tick taken away,
// a number half typed). So every input and change is numbered, each request remembers
// the number it left with, and a response whose request left before a newer input is
// not swapped in: the newer input has its own save on its way (htmx queues it, or the
// next change sends it), and that response brings the page up to date.
(function () {
  "use strict";
  var latest = 0;

  function touched(event) {
    var field = event.target;
    if (field && field.name && field.form && field.form.classList.contains("record-page")) {
      latest += 1;
    }
  }
  document.addEventListener("input", touched, true);
  document.addEventListener("change", touched, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    event.detail.xhr.overgangInputs = latest;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var sent = event.detail.xhr && event.detail.xhr.overgangInputs;
    if (typeof sent === "number" && latest > sent) {
      event.detail.shouldSwap = false;
    }
  });
})();
