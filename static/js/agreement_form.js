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
    // A whole day typed the Latvian way (13.05.2026) or in ISO (2026-05-13), as the server
    // accepts it (config/formats DATE_INPUT_FORMATS: four-digit years only); null while it is
    // not a whole, real date yet — "13.05.20" on the way to 2026, or 31.02.2026, change nothing.
    const parseDay = (text) => {
        const value = text.trim();
        let parts = null;
        let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
        if (match) {
            parts = [Number(match[1]), Number(match[2]), Number(match[3])];
        } else {
            match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
            if (match) {
                parts = [Number(match[3]), Number(match[2]), Number(match[1])];
            }
        }
        if (!parts) {
            return null;
        }
        const [year, month, date] = parts;
        const day = new Date(year, month - 1, date);
        const real = day.getFullYear() === year && day.getMonth() === month - 1 && day.getDate() === date;
        return real ? day : null;
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
