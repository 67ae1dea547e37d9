// Buttons marked data-tilts-print open the browser's print dialogue (no inline script: CSP).
document.querySelectorAll("[data-tilts-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
});
