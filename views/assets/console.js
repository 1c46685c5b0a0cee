// The console's own behaviour: theme, relative ages, messages from htmx requests, repeated form
// rows (windows, exceptions). No inline handlers anywhere: the page's CSP allows only this file,
// htmx and its json-enc extension, each loaded with the page's nonce.
(() => {
  const root = document.documentElement;
  const saved = localStorage.getItem('bisk-theme');
  if (saved) root.dataset.theme = saved;
  document.getElementById('theme')?.addEventListener('click', () => {
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('bisk-theme', root.dataset.theme);
  });

  const message = document.getElementById('message');
  const say = (text, bad) => { message.textContent = text; message.className = bad ? 'bad' : 'ok'; };

  const tick = () => {
    for (const el of document.querySelectorAll('.age[data-ts]')) {
      const s = Math.max(0, Math.round((Date.now() - Date.parse(el.dataset.ts)) / 1000));
      el.textContent = s < 90 ? s + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : s < 172800 ? Math.round(s / 3600) + ' h ago' : Math.round(s / 86400) + ' d ago';
      el.title = el.dataset.ts;
    }
  };
  setInterval(tick, 1000);
  document.addEventListener('DOMContentLoaded', tick);
  document.body.addEventListener('htmx:afterSwap', tick);

  // A refused request (404, 409, 5xx) is not swapped: its message is shown at the top.
  document.body.addEventListener('htmx:responseError', (event) => {
    const xhr = event.detail.xhr;
    let text = 'HTTP ' + xhr.status;
    try { text = JSON.parse(xhr.responseText).message || text; } catch { if (xhr.responseText && xhr.responseText.length < 500) text = xhr.responseText; }
    say(text, true);
  });
  document.body.addEventListener('htmx:sendError', () => say('The server did not answer', true));
  // A server-side "done" message travels in the HX-Trigger header: {"bisk-message": "..."}.
  document.body.addEventListener('bisk-message', (event) => say(event.detail.value, false));

  // Repeated rows: a <template data-rows="windows"> and a button data-add-row="windows" add one;
  // a button data-remove-row removes its row. Names are renumbered so indexes stay 0..n-1, which is
  // what the API's field errors (windows[2].startTime) point at.
  const renumber = (tbody) => {
    const name = tbody.dataset.rowsBody;
    [...tbody.querySelectorAll(':scope > tr')].forEach((row, i) => {
      for (const el of row.querySelectorAll('[name]')) el.name = el.name.replace(new RegExp('^' + name + '\\[\\d+\\]'), name + '[' + i + ']');
      for (const el of row.querySelectorAll('[data-field]')) el.dataset.field = el.dataset.field.replace(/\[\d+\]/, '[' + i + ']');
    });
  };
  document.addEventListener('click', (event) => {
    const add = event.target.closest('[data-add-row]');
    if (add) {
      const name = add.dataset.addRow;
      const template = document.querySelector('template[data-rows="' + name + '"]');
      const tbody = document.querySelector('[data-rows-body="' + name + '"]');
      tbody.append(template.content.cloneNode(true));
      renumber(tbody);
      tbody.querySelector(':scope > tr:last-child select, :scope > tr:last-child input')?.focus();
      return;
    }
    const remove = event.target.closest('[data-remove-row]');
    if (remove) {
      const tbody = remove.closest('[data-rows-body]');
      remove.closest('tr').remove();
      renumber(tbody);
    }
  });
})();

// Resource caps: the camera picker opens that camera's override.
document.getElementById('override-open')?.addEventListener('click', (event) => {
  event.preventDefault();
  location.href = '/dash/resources/cameras/' + encodeURIComponent(document.getElementById('override-camera').value);
});

// Buttons that call the JSON API (restart, stop): the answer's message is shown, then the live
// parts refresh (twice: the new process takes a moment), or the page reloads (data-reload).
document.body.addEventListener('htmx:afterRequest', (event) => {
  const elt = event.detail.elt;
  if (!elt?.dataset?.apiAction || !event.detail.successful) return;
  let data = {};
  try { data = JSON.parse(event.detail.xhr.responseText); } catch { /* no body */ }
  const text = data.message || (elt.dataset.apiAction === 'stop' ? 'Stopped ' + (data.stopped ?? '') + ' runner(s); the enforcer starts them again at once while their schedule wants them' : 'Done');
  const message = document.getElementById('message');
  message.textContent = text;
  message.className = 'ok';
  if (elt.dataset.reload !== undefined) setTimeout(() => location.reload(), 2000);
  else for (const ms of [1200, 3000]) setTimeout(() => document.body.dispatchEvent(new Event('bisk-refresh')), ms);
});
