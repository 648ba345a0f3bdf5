// The colleagues list: each phone's state pushed over a websocket (no polling).
(function () {
  "use strict";
  var table = document.getElementById("colleagues");
  if (!table) { return; }
  var T = JSON.parse(document.getElementById("colleagues-i18n").textContent);
  var servers = JSON.parse(document.getElementById("colleagues-servers").textContent);
  var linkState = document.querySelector('[data-role="link-state"]');
  var retry = 500;

  function show(server, data) {
    var known = {};
    (data.devices || []).forEach(function (d) { known[d.device] = d; });
    table.querySelectorAll('td.state[data-server="' + server + '"]').forEach(function (cell) {
      var d = known[cell.getAttribute("data-device")];
      var state = d ? d.state : "offline";
      cell.setAttribute("data-state", state);
      cell.textContent = (T[state] || state) + (d && d["with"] ? " — " + d["with"] : "");
    });
  }

  function connect() {
    if (!servers.length) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + table.dataset.ws);
    socket.onopen = function () { retry = 500; linkState.textContent = ""; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.view === "presence" && message.data) { show(message.server, message.data); }
    };
    socket.onclose = function () {
      linkState.textContent = T.lost;
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }
  connect();
})();
