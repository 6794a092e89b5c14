"""The report section of NEST's sine example through eprop.nest (issue 17), for
bench/make_report.py: the records bench/python/sine_nest.py wrote (runs labelled python_sine)
against NEST's stored time of the same script."""

import statistics


def _row(group, nest_times):
    """One table row: the repetition with the least CPU time, and the spread of all of them."""
    best = min(group, key=lambda r: r["values"]["process_cpu_s"])
    v = best["values"]
    cpus = [r["values"]["process_cpu_s"] for r in group]
    walls = [r["values"]["process_wall_s"] for r in group]
    python_cpu = v["cpu_s"] - v["engine_cpu_s"]
    nest_min, nest_median = min(nest_times), statistics.median(nest_times)
    speedup = "-"
    if v["n_iter"] == 200:
        speedup = (f"{nest_min / min(cpus):.0f}x-{nest_median / min(cpus):.0f}x by CPU, "
                   f"{nest_min / min(walls):.0f}x-{nest_median / min(walls):.0f}x by wall")
    loads = ", ".join(f"{r['values']['load_start']:.1f}" for r in group)
    deviation = f"{v['max_rel_dev_nest']:.1e}" if v["max_rel_dev_nest"] >= 0 else "- (no ../shared)"
    return (f"| {v['integration']}, {v['precision']} | {min(walls):.2f} / "
            f"{statistics.median(walls):.2f} | {min(cpus):.2f} / {statistics.median(cpus):.2f} | "
            f"{v['engine_cpu_s']:.2f} | {python_cpu:.2f} ({100 * python_cpu / v['cpu_s']:.1f} %) | "
            f"{v['process_cpu_s'] - v['engine_cpu_s']:.2f} "
            f"({100 * (v['process_cpu_s'] - v['engine_cpu_s']) / v['process_cpu_s']:.1f} %) | "
            f"{speedup} | {deviation} | {loads} |")


def section_python(runs, root, nest):
    """Markdown lines of the section, or none when the benchmark did not run."""
    python = [r for r in runs if r["label"] == "python_sine"]
    if not python:
        return []
    n_iter = python[0]["values"]["n_iter"]
    out = ["## NEST's sine example through `eprop.nest` (Python, issue 17)", "",
           f"`bench/python/sine_nest.py {n_iter}`: NEST's script "
           "`eprop_supervised_regression_sine-waves.py` as PyNEST code "
           "(`python/tests/sine_scripts.py`: numpy draws, Create/Connect, one Simulate, losses "
           "from the multimeter) with `import eprop.nest as nest`, a whole Python process "
           "(interpreter start and imports included). *Engine* is the time inside the C++ build "
           "and `simulate`; *Python side* is everything else of the script (its numpy work, the "
           "layer's lowering, reading the events), and of the process (plus start-up and "
           f"imports). NEST: {nest['script']}, `Simulate` {min(nest['simulate_s'])} s (best of "
           f"{len(nest['simulate_s'])}), median {statistics.median(nest['simulate_s'])} s.", "",
           "| integration, precision | wall (s) min / median | CPU (s) min / median | engine CPU "
           "(s) | Python side of the script, CPU (s) | Python side of the process, CPU (s) | vs "
           "NEST (best-median) | max rel. deviation from NEST losses | load avg |",
           "|---|---|---|---|---|---|---|---|---|"]
    for integration in ("stepwise", "closed_form"):
        group = [r for r in python if r["values"]["integration"] == integration]
        if group:
            out.append(_row(group, nest["simulate_s"]))
    out += ["", "Stepwise integration in double is NEST's arithmetic (the default of "
            "`eprop.nest`); closed form is `nest.set(eligibility_integration=\"closed_form\")`. "
            "Wall times on a loaded machine count other processes' time; CPU time is the fair "
            "comparison.", ""]
    return out
