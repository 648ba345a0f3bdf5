// Click-to-call on the directory page: post the number (and the chosen phone) and show the
// answer in place; without this script the forms post and the page comes back with a message.
(function () {
  "use strict";
  const status = document.getElementById("call-status");
  const chooser = document.getElementById("call-phone");
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.classList || !form.classList.contains("call-form")) return;
    event.preventDefault();
    const data = new FormData(form);
    if (chooser) data.set("phone", chooser.value);
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"Accept": "application/json"},
      });
      const answer = await response.json();
      status.textContent = answer.ok ? answer.message : answer.error;
      status.className = "call-status " + (answer.ok ? "success" : "errors");
    } catch (error) {
      status.textContent = String(error);
      status.className = "call-status errors";
    } finally {
      if (button) button.disabled = false;
    }
  });
})();
