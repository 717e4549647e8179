// Outpost's own script. No inline scripts anywhere (the content security policy forbids them).
document.addEventListener("DOMContentLoaded", () => {
  // Submit forms marked js-autosubmit when a select changes (the language switcher).
  document.querySelectorAll("form.js-autosubmit select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Ask before destructive or irreversible actions: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Disable submit buttons once a form is sent, so a double tap on a phone submits once.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
        window.setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  });
});
