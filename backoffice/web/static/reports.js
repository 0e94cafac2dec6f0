// The problem report page's one script: the chosen after-photo goes into the status form as base64
// (the gateway reads urlencoded forms only). Without it the status is still saved, without a photo.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.base64Into) return;
  const target = document.getElementById(input.dataset.base64Into);
  const problem = document.getElementById(input.getAttribute("aria-describedby") || "");
  if (!target) return;
  target.value = "";
  if (problem) { problem.hidden = true; problem.textContent = ""; }
  const file = input.files && input.files[0];
  if (!file) return;
  const maxBytes = Number(input.dataset.maxBytes || "0");
  if (maxBytes && file.size > maxBytes) {
    input.value = "";
    if (problem) { problem.textContent = input.dataset.tooBig || ""; problem.hidden = false; }
    return;
  }
  const form = input.form;
  const submit = form ? form.querySelector("button[type=submit]") : null;
  if (submit) submit.disabled = true; // until the photo is read, so it is never sent half-made
  const reader = new FileReader();
  reader.onload = () => {
    target.value = String(reader.result || "");
    if (submit) submit.disabled = false;
    input.dataset.ready = "1";
  };
  reader.onerror = () => { if (submit) submit.disabled = false; };
  reader.readAsDataURL(file);
});
