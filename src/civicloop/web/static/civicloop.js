// Behaviour that templates would otherwise write inline (the Content-Security-Policy allows no inline script).
// GOV.UK Frontend's components (error summary focus, service navigation's menu on phones, skip link) start here.
// (base.html names the vendored file, whose name carries its version, in <meta name="govuk-frontend">.)
document.body.classList.add("js-enabled", "govuk-frontend-supported");
const { initAll } = await import(document.querySelector('meta[name="govuk-frontend"]').content);
initAll();

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
