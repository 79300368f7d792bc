// Fengqiao console behaviour. Loaded as a file (the CSP allows no inline script and no eval):
// Alpine components are registered by name here (Alpine's CSP build evaluates no expressions),
// and charts are drawn from data-chart attributes the server renders (ECharts options it built).
"use strict";

document.addEventListener("alpine:init", function () {
  // menu: the phone-sized menu button.
  window.Alpine.data("menu", function () {
    return {
      expanded: false,
      toggle: function () {
        this.expanded = !this.expanded;
        var nav = document.getElementById("nav");
        if (nav) { nav.classList.toggle("open", this.expanded); }
      }
    };
  });
  // disclosure: a section shown and hidden by a button (x-show="open").
  window.Alpine.data("disclosure", function () {
    return {
      open: false,
      toggle: function () { this.open = !this.open; },
      close: function () { this.open = false; }
    };
  });
});

// Charts: <div class="chart" data-chart='{...ECharts option...}' role="img" aria-label="...">.
function drawCharts(root) {
  if (!window.echarts) { return; }
  var els = (root || document).querySelectorAll("[data-chart]");
  for (var i = 0; i < els.length; i++) {
    var el = els[i];
    if (el.getAttribute("data-chart-drawn") === "1") { continue; }
    var option;
    try { option = JSON.parse(el.getAttribute("data-chart")); } catch (e) { continue; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-chart-drawn", "1");
  }
}
window.addEventListener("resize", function () {
  if (!window.echarts) { return; }
  var els = document.querySelectorAll("[data-chart-drawn]");
  for (var i = 0; i < els.length; i++) {
    var c = window.echarts.getInstanceByDom(els[i]);
    if (c) { c.resize(); }
  }
});
document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
document.addEventListener("htmx:afterSettle", function (e) { drawCharts(e.target); });
// Every answer is swapped, errors included (htmx-config responseHandling): a form's problem comes
// back as the form with the messages beside its fields, or retargeted to #messages.

// --- Sessions (issue 15, sessions & security) ---
// A page restored from the back/forward cache after logout would show what the session showed:
// ask the server again (it sends the login page when the session is over).
window.addEventListener("pageshow", function (e) {
  if (e.persisted && document.querySelector("form.logout")) { window.location.reload(); }
});

// Dashboard, queues and agency view (h15-b).
// The dashboard's period form: a date typed in means a custom period; choosing a named period
// drops the dates (the server computes them), so the query string says what is shown.
document.addEventListener("change", function (e) {
  var el = e.target;
  var form = el && el.form;
  if (!form || !form.classList.contains("dash-filter")) { return; }
  if (el.type === "date" && form.elements.period) {
    form.elements.period.value = "custom";
  } else if (el.name === "period" && el.value !== "custom") {
    if (form.elements.from) { form.elements.from.value = ""; }
    if (form.elements.to) { form.elements.to.value = ""; }
  }
});

// Intake: the live check swaps each field's message out of band; the field it describes is
// marked aria-invalid while its message says something.
function markInvalid(root) {
  var msgs = (root || document).querySelectorAll("[data-field-error]");
  for (var i = 0; i < msgs.length; i++) {
    var input = document.getElementById(msgs[i].getAttribute("data-field-error"));
    if (!input) { continue; }
    if (msgs[i].textContent.trim() !== "") { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }
}
document.addEventListener("htmx:afterSettle", function () { markInvalid(document); });
document.addEventListener("htmx:oobAfterSwap", function () { markInvalid(document); });
// The live check faults only the fields the user has reached: their names go with each check.
function markTouched(e) {
  var el = e.target;
  if (!el || !el.name || !el.form || !el.form.classList.contains("intake-form") || el.type === "hidden" || el.tagName === "BUTTON") { return; }
  var list = el.form.querySelector("[data-touched]");
  if (!list) { return; }
  var names = list.value ? list.value.split(",") : [];
  if (names.indexOf(el.name) < 0) { names.push(el.name); list.value = names.join(","); }
}
document.addEventListener("input", markTouched, true);
document.addEventListener("change", markTouched, true);
document.addEventListener("focusout", markTouched, true);
// A swapped part names the element that takes the focus (data-focus): the row just added.
document.addEventListener("htmx:afterSettle", function (e) {
  var el = e.target && e.target.querySelector ? e.target.querySelector("[data-focus]") : null;
  if (!el && e.target && e.target.hasAttribute && e.target.hasAttribute("data-focus")) { el = e.target; }
  if (el) { el.removeAttribute("data-focus"); el.focus(); }
});

// ---- cases ----
// After the case page (or its parties) is swapped in, move the focus to what the user must
// read: the problem of the form just sent (its first invalid field), the flash, or the parties
// just revealed, so that a keyboard or screen-reader user is not left on a removed element.
document.addEventListener("htmx:afterSettle", function (e) {
  // With an outerHTML swap the request's target is the element replaced: find its successor.
  var t = e.detail && e.detail.target;
  if (!t || (t.id !== "case-page" && t.id !== "case-parties")) { return; }
  var root = document.getElementById(t.id);
  if (!root) { return; }
  var target = root.querySelector("[aria-invalid=true]") || root.querySelector(".problem") ||
    root.querySelector(".flash") || root.querySelector(".notice");
  if (!target) { return; }
  if (!target.matches("input, select, textarea")) { target.setAttribute("tabindex", "-1"); }
  target.focus();
});

// --- plugin pages (api/console_plugins.go) ---------------------------------------------------
// A plugin's action with confirmation text: <form data-confirm="…"> asks before submitting.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form || !form.getAttribute) { return; }
  var text = form.getAttribute("data-confirm");
  if (text && !window.confirm(text)) { e.preventDefault(); }
}, true);
