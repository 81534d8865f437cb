/* global document, window, fetch */
// Opens the Stately Inspector and posts this inspection's replayed inspection events to it
// (the protocol of @statelyai/inspect's browser adapter). Needs internet; opt-in (XSTATE_INSPECT=1).
(function () {
  'use strict';
  var INSPECTOR = 'https://stately.ai/inspect';
  var button = document.querySelector('[data-inspect]');
  var status = document.getElementById('inspect-status');
  if (!button) return;
  button.addEventListener('click', function () {
    var target = window.open(INSPECTOR, 'xstateinspector');
    fetch(button.getAttribute('data-inspect'), { credentials: 'same-origin' })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        var sent = false;
        window.addEventListener('message', function (e) {
          if (sent || e.origin !== 'https://stately.ai' || !e.data || e.data.type !== '@statelyai.connected') return;
          sent = true;
          body.events.forEach(function (ev) { target.postMessage(ev, 'https://stately.ai'); });
          if (status) status.textContent = String(body.events.length) + ' events';
        });
      })
      .catch(function (err) { if (status) status.textContent = String(err); });
  });
})();
