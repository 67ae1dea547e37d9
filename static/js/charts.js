// The reports' charts (Chart.js, vendored in static/vendor/chartjs/; no inline script: CSP).
//
// Each chart is a <canvas data-tilts-chart="<id of a json_script element>" role="img"
// aria-label="…" aria-describedby="<id of the table with the same figures>">. The JSON holds
//   {"kind": "bar" | "hbar" | "doughnut", "labels": [...],
//    "series": [{"label": "…", "data": [...]}], "x": "axis title", "y": "axis title"}
// The table next to the canvas (in a <details>) is the alternative for screen readers and
// for anyone without JavaScript; the canvas only draws the same numbers.
(() => {
    if (typeof window.Chart === "undefined") {
        return;
    }
    // Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by lightness too.
    const PALETTE = ["#1f5f8b", "#b5541c", "#2e7d32", "#6a3d9a", "#8a6d00", "#ad1457", "#00695c", "#4e5d6c"];
    const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    const read = (id) => {
        const element = document.getElementById(id);
        if (!element) {
            return null;
        }
        try {
            return JSON.parse(element.textContent);
        } catch (error) {
            return null;
        }
    };

    const axis = (title, { integer = false } = {}) => ({
        beginAtZero: true,
        title: { display: Boolean(title), text: title || "" },
        ticks: integer ? { precision: 0 } : {},
    });

    const config = (spec) => {
        const kind = spec.kind || "bar";
        const doughnut = kind === "doughnut";
        const datasets = (spec.series || []).map((series, index) => ({
            label: series.label,
            data: series.data,
            backgroundColor: doughnut
                ? series.data.map((_value, point) => PALETTE[point % PALETTE.length])
                : PALETTE[index % PALETTE.length],
            borderWidth: doughnut ? 1 : 0,
        }));
        const options = {
            responsive: true,
            maintainAspectRatio: false,
            animation: reduced ? false : { duration: 300 },
            plugins: {
                legend: { display: doughnut || datasets.length > 1, position: "bottom" },
                tooltip: { enabled: true },
            },
        };
        if (!doughnut) {
            const horizontal = kind === "hbar";
            options.indexAxis = horizontal ? "y" : "x";
            // Horizontal bars: the categories' names are the axis (their title would only
            // crowd the long names on a phone; the chart's heading says what they are).
            options.scales = horizontal
                ? { x: axis(spec.y, { integer: true }), y: { title: { display: false } } }
                : { x: { title: { display: Boolean(spec.x), text: spec.x || "" } }, y: axis(spec.y, { integer: true }) };
        }
        return { type: doughnut ? "doughnut" : "bar", data: { labels: spec.labels || [], datasets }, options };
    };

    document.querySelectorAll("canvas[data-tilts-chart]").forEach((canvas) => {
        const spec = read(canvas.dataset.tiltsChart);
        if (!spec) {
            return;
        }
        // The canvas is an image of the table: keep it out of the tab order and say so.
        canvas.setAttribute("role", "img");
        new window.Chart(canvas, config(spec));
        canvas.dataset.tiltsChartDrawn = "1";
    });
})();
