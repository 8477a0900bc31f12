// Setup pages: "select all" boxes and the print button (no inline script: the CSP forbids it).
document.addEventListener("click", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (all) {
    const name = all.getAttribute("data-check-all");
    for (const box of all.form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) box.checked = all.checked;
  }
  if (event.target.closest("[data-print]")) window.print();
});
