/* global document, location */
// Keyboard shortcuts and live refresh. Plain script, no build step; the pages work without it.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var refreshMeta = document.querySelector('meta[name="refresh-ms"]');
  var refreshMs = refreshMeta ? Number(refreshMeta.getAttribute('content')) : 0;

  function typing(event) {
    var t = event.target;
    return (
      t &&
      (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
    );
  }

  // --- queue page ---------------------------------------------------------------------------
  var tbody = document.getElementById('queue-rows');
  if (tbody) {
    var live = document.getElementById('live');
    var selectedId = null;
    var rows = function () {
      return Array.prototype.slice.call(tbody.querySelectorAll('tr[data-id]'));
    };
    var select = function (row) {
      rows().forEach(function (r) {
        r.classList.remove('selected');
        r.removeAttribute('aria-selected');
      });
      if (!row) {
        selectedId = null;
        return;
      }
      row.classList.add('selected');
      row.setAttribute('aria-selected', 'true');
      row.scrollIntoView({ block: 'nearest' });
      selectedId = row.getAttribute('data-id');
    };
    var current = function () {
      return rows().filter(function (r) {
        return r.getAttribute('data-id') === selectedId;
      })[0];
    };
    var move = function (delta) {
      var list = rows();
      if (list.length === 0) return;
      var i = list.indexOf(current());
      select(list[Math.max(0, Math.min(list.length - 1, i < 0 ? 0 : i + delta))]);
    };
    var statusFilter = new URLSearchParams(location.search).get('status') || 'open';
    var verdict = function (value) {
      var row = current();
      if (!row) return;
      var id = row.getAttribute('data-id');
      var body = new URLSearchParams({ verdict: value, note: '' });
      fetch('/alerts/' + encodeURIComponent(id) + '/verdict', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          'x-csrf-token': csrf,
        },
        body: body.toString(),
        credentials: 'same-origin',
      })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (result) {
          if (live) live.textContent = id + ': ' + result.verdict;
          var list = rows();
          var next = list[list.indexOf(row) + 1] || list[list.indexOf(row) - 1];
          if (statusFilter !== 'all' && result.status !== statusFilter) row.remove();
          else row.cells[7].textContent = result.verdict;
          select(next && next.isConnected ? next : current());
        })
        .catch(function (error) {
          if (live) live.textContent = 'verdict failed: ' + error.message;
        });
    };
    tbody.addEventListener('click', function (event) {
      var row = event.target.closest('tr[data-id]');
      if (row && event.target.tagName !== 'A') select(row);
    });
    document.addEventListener('keydown', function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      var row;
      switch (event.key) {
        case 'j':
        case 'ArrowDown':
          move(1);
          break;
        case 'k':
        case 'ArrowUp':
          move(-1);
          break;
        case 'Enter':
        case 'o':
          row = current();
          if (row) location.href = row.querySelector('a').getAttribute('href');
          break;
        case 'f':
          verdict('fraud');
          break;
        case 'l':
          verdict('legit');
          break;
        case 'u':
          verdict('unsure');
          break;
        case 'r':
          refresh();
          break;
        default:
          return;
      }
      event.preventDefault();
    });
    var refresh = function () {
      fetch(location.href, { headers: { 'x-fragment': 'rows' }, credentials: 'same-origin' })
        .then(function (response) {
          if (response.status === 401 || response.redirected) {
            location.reload();
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (text) {
          if (text === null) return;
          var keep = selectedId;
          tbody.innerHTML = text;
          selectedId = keep;
          select(current() || null);
          if (live) live.textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
        })
        .catch(function () {
          if (live) live.textContent = 'refresh failed';
        });
    };
    var table = tbody.closest('table');
    if (refreshMs > 0 && table && table.getAttribute('data-first-page') === 'true') {
      setInterval(function () {
        if (!document.hidden) refresh();
      }, refreshMs);
    }
    move(0);
  }

  // --- detail page: one key per verdict -------------------------------------------------------
  var form = document.getElementById('verdict-form');
  if (form) {
    document.addEventListener('keydown', function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      var button = form.querySelector('button[data-key="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    });
  }
})();
