/* Progress reports and indicator figures: nothing the user typed is lost.
 *
 * The form (#record-form) autosaves through htmx a moment after typing stops (hx-trigger on the form);
 * the evidence card attaches files through htmx without touching the fields. This script adds what
 * htmx does not know:
 *   - which typing is saved: every edit bumps a counter; an autosave that succeeds (X-Autosave: saved)
 *     marks saved what had been typed when it was sent, not what was typed while it travelled;
 *   - a warning before leaving the page with unsaved changes or a chosen file not yet uploaded;
 *   - "Lưu nháp"/"Gửi" wait for an autosave in flight, so the version they carry is the latest one;
 *   - a conflict (someone else saved meanwhile) stops autosaving: the user decides with "Lưu nháp".
 * Without JavaScript the form still saves, submits and attaches by plain posts.
 */
(function () {
  "use strict";

  function setup(form) {
    var edits = 0;
    var savedEdits = 0;
    var leaving = false;
    var stopped = false;
    var waitingSubmitter = null;
    // Requests of this form in flight (autosaves, attached files), by their XMLHttpRequest: an attach
    // replaces its own button, so its answer cannot be recognised by the element any more.
    var pending = new Map();
    var status = document.getElementById("autosave-status");

    function ours(elt) {
      return elt === form || (elt && elt.form === form);
    }
    function isAutosave(elt) {
      return elt === form;
    }
    function dirty() {
      return edits !== savedEdits;
    }
    function fileChosen() {
      var input = document.getElementById("id_file");
      return !!(input && input.files && input.files.length);
    }
    function show(text, css) {
      if (!status) return;
      status.textContent = "";
      var span = document.createElement("span");
      span.className = css;
      span.textContent = text;
      status.appendChild(span);
    }

    form.addEventListener("input", function () {
      edits += 1;
      form.dataset.dirty = "1";
    });

    document.addEventListener("htmx:beforeRequest", function (evt) {
      var elt = evt.detail.elt;
      if (!ours(elt)) return;
      if (leaving || (stopped && isAutosave(elt)) || (isAutosave(elt) && !dirty())) {
        evt.preventDefault();
        return;
      }
      pending.set(evt.detail.xhr, { autosave: isAutosave(elt), edits: edits });
      if (isAutosave(elt)) show("Đang lưu bản nháp…", "small-muted");
    });

    document.addEventListener("htmx:afterRequest", function (evt) {
      var xhr = evt.detail.xhr;
      var sent = xhr && pending.get(xhr);
      if (!sent) return;
      pending.delete(xhr);
      var state = xhr.getResponseHeader("X-Autosave");
      if (state === "saved") {
        savedEdits = Math.max(savedEdits, sent.edits);
        if (!dirty()) delete form.dataset.dirty;
      } else if (state === "conflict") {
        stopped = true;
      } else if (sent.autosave && !evt.detail.successful) {
        show("Chưa tự động lưu được (mất kết nối?). Nội dung vẫn còn trên trang: bấm “Lưu nháp”.", "text-danger");
      }
      if (pending.size === 0 && waitingSubmitter) {
        var submitter = waitingSubmitter;
        waitingSubmitter = null;
        if (form.requestSubmit) form.requestSubmit(submitter);
        else submitter.click();
      }
    });

    form.addEventListener("submit", function (evt) {
      if (pending.size > 0) {
        // Let the autosave in flight land first: it brings the version this submit must carry.
        evt.preventDefault();
        waitingSubmitter = evt.submitter || form.querySelector("button[name=save]");
        show("Đang lưu…", "small-muted");
        return;
      }
      leaving = true;
    });

    window.addEventListener("beforeunload", function (evt) {
      if (leaving || (!dirty() && !fileChosen())) return;
      evt.preventDefault();
      evt.returnValue = "";
      return "";
    });
    // Back from the server (a page shown with errors) the fields hold text not yet saved.
    if (form.querySelector(".is-invalid, .invalid-feedback, .alert-danger")) edits = 1;
  }

  function init() {
    var form = document.getElementById("record-form");
    if (form && !form.dataset.recordForm) {
      form.dataset.recordForm = "1";
      setup(form);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
