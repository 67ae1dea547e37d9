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
    // A day typed the Latvian way (13.05.2026, 13.5.26) or in ISO (2026-05-13), as the server
    // accepts it (config/formats DATE_INPUT_FORMATS); null while it is not a whole date yet.
    const parseDay = (text) => {
        const value = text.trim();
        let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
        if (match) {
            return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
        }
        match = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(value);
        if (match) {
            let year = Number(match[3]);
            if (match[3].length === 2) {
                year += year < 69 ? 2000 : 1900;
            }
            return new Date(year, Number(match[2]) - 1, Number(match[1]));
        }
        return null;
    };
    const born = parseDay(start.dataset.birthDate);
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
        const day = parseDay(start.value);
        if (!day || !born) {
            return;
        }
        const minor = ageOn(day) < 18;
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
    start.addEventListener("input", sync);
})();
