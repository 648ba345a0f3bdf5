// The interface shell: collapsible menu (remembered per browser) and the idle sign-out.
(function () {
  "use strict";
  var body = document.body;
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    var collapsed = window.localStorage.getItem("switchboard-menu") === "collapsed";
    var apply = function () {
      body.classList.toggle("menu-collapsed", collapsed);
      toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    };
    apply();
    toggle.addEventListener("click", function () {
      collapsed = !collapsed;
      window.localStorage.setItem("switchboard-menu", collapsed ? "collapsed" : "open");
      apply();
    });
  }
  // The server ends a session after the idle time; the page follows so that nobody keeps
  // reading data on a screen whose session is gone. Any request made by the page (HTMX
  // included) renews the session, so it restarts the timer too.
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  if (idle > 0) {
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { window.location.reload(); }, (idle + 1) * 1000);
    };
    arm();
    document.addEventListener("htmx:afterRequest", arm);
  }
})();
