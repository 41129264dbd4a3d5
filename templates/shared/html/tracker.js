// Small improvements to the tracker's pages. Every page works without
// this file; it only adds:
//
// - `data-confirm="question"` on a submit button: asks before submitting
//   (removing a message, retiring an item);
// - forms are sent once: a second click on a submit button while the page
//   is loading does nothing (Roundup's submit_once);
// - a drop-down menu made of <details> closes on Escape and when the
//   user clicks elsewhere;
// - when the page shows an error, the error summary gets the focus, so
//   screen readers read it and keyboard users start from it.
//
// The Content-Security-Policy allows scripts from the tracker only, so
// this file is loaded from @@file/ and uses no inline handlers.
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-confirm]');
    if (button && !window.confirm(button.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
    document.querySelectorAll('details.menu[open]').forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute('open');
    });
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.method.toLowerCase() !== 'post') return;
    if (form.dataset.submitted === 'yes') {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = 'yes';
    form.querySelectorAll('[type="submit"]').forEach(function (button) {
      button.setAttribute('aria-disabled', 'true');
    });
  });

  // A page shown again from the back/forward cache may be submitted again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-submitted]').forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll('[aria-disabled="true"]').forEach(function (button) {
        button.removeAttribute('aria-disabled');
      });
    });
  });

  var errors = document.getElementById('page-errors');
  if (errors) errors.focus();

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    document.querySelectorAll('details.menu[open]').forEach(function (menu) {
      menu.removeAttribute('open');
      var summary = menu.querySelector('summary');
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });
})();
