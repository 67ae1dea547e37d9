// The agreement drafting form: show the expense and insurance details only when ticked, and
// mark the legal representative's fields as required while the volunteer is a minor on the
// start date. Progressive enhancement only: the server decides (no inline script: CSP).
(() => {
    const form = document.getElementById("agreement-form");
    if (!form) {
        return;
    }
    document.querySelectorAll("[data-shown-by]").forEach((block) => {
        const box = document.getElementById(block.dataset.shownBy);
        if (!box) {
            return;
        }
        const sync = () => {
            const hasErrors = block.querySelector(".is-invalid") !== null;
            block.hidden = !box.checked && !hasErrors;
        };
        box.addEventListener("change", sync);
        sync();
    });

    const start = document.getElementById("id_start_date");
    const section = document.getElementById("minor-section");
    if (!start || !section || !start.dataset.birthDate) {
        return;
    }
    const born = new Date(start.dataset.birthDate + "T00:00:00");
    const minorNotice = section.querySelector("[data-minor-notice]");
    const adultNotice = section.querySelector("[data-adult-notice]");
    const ageOn = (day) => {
        let age = day.getFullYear() - born.getFullYear();
        if (day.getMonth() < born.getMonth() || (day.getMonth() === born.getMonth() && day.getDate() < born.getDate())) {
            age -= 1;
        }
        return age;
    };
    const sync = () => {
        if (!start.value) {
            return;
        }
        const minor = ageOn(new Date(start.value + "T00:00:00")) < 18;
        minorNotice.classList.toggle("d-none", !minor);
        adultNotice.classList.toggle("d-none", minor);
        section.classList.toggle("border-warning", minor);
        ["id_guardian_name", "id_guardian_consent"].forEach((id) => {
            const input = document.getElementById(id);
            if (input) {
                input.setAttribute("aria-required", minor ? "true" : "false");
            }
        });
    };
    start.addEventListener("change", sync);
})();
