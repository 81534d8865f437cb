/* global document, window, fetch, EventSource, URL, setTimeout, clearTimeout */
// Live pages: listens to the dashboard's event stream (/ui/stream) and, when an event concerns
// what this page shows (its data-topics), fetches the page's fragment and swaps it in without a
// reload. A form being filled in is never thrown away: the page offers a refresh button instead.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var status = document.getElementById('live-status');
  if (!main || !window.EventSource) return;
  var topics = (main.getAttribute('data-topics') || '').split(' ').filter(Boolean);
  var liveUrl = main.getAttribute('data-live-url');
  if (topics.length === 0 || !liveUrl) return;

  var dirty = false;
  var timer = null;
  var banner = null;
  main.addEventListener('input', function () { dirty = true; });
  main.addEventListener('change', function () { dirty = true; });

  function concerns(payload) {
    var d = (payload && payload.data) || {};
    return topics.some(function (topic) {
      var i = topic.indexOf(':');
      var kind = i < 0 ? topic : topic.slice(0, i);
      var value = i < 0 ? '' : topic.slice(i + 1);
      if (kind === 'inspection') return d.instanceId === value || d.inspectionId === value;
      if (kind === 'plan') return d.planId === value;
      if (kind === 'unit') return d.unitCode === value;
      if (kind === 'surprise') return d.kind === 'surprise' || d.inspectionKind === 'surprise';
      return kind === 'reminders';
    });
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function swap() {
    var url = new URL(liveUrl, window.location.href);
    url.searchParams.delete('done');
    url.searchParams.set('fragment', '1');
    return fetch(url.toString(), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (markup) {
        var open = Array.prototype.map.call(main.querySelectorAll('details[open][data-event]'), function (d) {
          return d.getAttribute('data-event');
        });
        var focused = document.activeElement && main.contains(document.activeElement) ? document.activeElement.id : '';
        main.innerHTML = markup;
        open.forEach(function (type) {
          var d = main.querySelector('details[data-event="' + type + '"]');
          if (d) d.open = true;
        });
        if (focused) {
          var el = document.getElementById(focused);
          if (el) el.focus();
        }
        dirty = false;
        if (banner) {
          banner.remove();
          banner = null;
        }
        main.setAttribute('data-live-version', String(Number(main.getAttribute('data-live-version') || '0') + 1));
        announce(status ? status.getAttribute('data-updated') : '');
      })
      .catch(function () {
        /* the next event tries again */
      });
  }

  function offerRefresh() {
    if (banner) return;
    banner = document.createElement('div');
    banner.className = 'live-banner';
    banner.setAttribute('role', 'status');
    var text = document.createElement('span');
    text.textContent = (status && status.getAttribute('data-stale')) || '';
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = (status && status.getAttribute('data-refresh')) || 'Refresh';
    button.addEventListener('click', function () {
      dirty = false;
      swap();
    });
    banner.appendChild(text);
    banner.appendChild(button);
    main.parentNode.insertBefore(banner, main);
  }

  function refresh() {
    timer = null;
    if (dirty) offerRefresh();
    else swap();
  }

  function onEvent(e) {
    var payload;
    try {
      payload = JSON.parse(e.data);
    } catch {
      return;
    }
    if (!concerns(payload)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  var source = new EventSource('/ui/stream');
  ['inspection.transitioned', 'reminder.due', 'reminder.overdue'].forEach(function (type) {
    source.addEventListener(type, onEvent);
  });
  window.addEventListener('pagehide', function () { source.close(); });
  document.documentElement.setAttribute('data-live', 'on');
})();
