// Text areas marked data-tilts-count-min show how many characters are typed, under them in
// <p id="<field id>-count" data-short="… {count} … {min} …" data-enough="… {count} …">
// (no inline script: CSP). Without JavaScript the field's help text says the minimum.
document.querySelectorAll("[data-tilts-count-min]").forEach((field) => {
    const output = document.getElementById(`${field.id}-count`);
    if (!output) {
        return;
    }
    const min = Number(field.dataset.tiltsCountMin);
    const update = () => {
        const count = field.value.trim().length;
        const text = count < min ? output.dataset.short : output.dataset.enough;
        output.textContent = text.replace("{count}", count).replace("{min}", min);
    };
    field.addEventListener("input", update);
    update();
    output.hidden = false;
});
