// Behaviour that templates would otherwise write inline (the Content-Security-Policy allows no inline script).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
