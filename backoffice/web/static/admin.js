// The back office's only script, optional: every page works without it.
// A file input with data-fills="ID" reads the chosen file into that textarea (no upload parser needed).
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.fills || !input.files || !input.files[0]) return;
  const target = document.getElementById(input.dataset.fills);
  if (!target) return;
  input.files[0].text().then((text) => { target.value = text; });
});
