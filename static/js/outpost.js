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

// The lead move form shows only the facts the chosen stage needs (all of them without script).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.js-stage-facts").forEach((form) => {
    const facts = JSON.parse(form.dataset.stageFacts || "{}");
    const all = new Set(Object.values(facts).flat());
    const select = form.querySelector("select[name=to_stage]");
    const update = () => {
      const wanted = new Set(facts[select.value] || []);
      all.forEach((name) => {
        const wrapper = form.querySelector(`#div_id_${name}`);
        if (wrapper) wrapper.classList.toggle("d-none", !wanted.has(name));
      });
    };
    select.addEventListener("change", update);
    update();
  });
});
