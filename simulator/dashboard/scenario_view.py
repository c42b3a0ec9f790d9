"""The Scenario tab: pick a scenario from the scenarios folder or load one (drop a file, or paste its TOML),
edit it in a form generated from the scenario schema with each problem shown beside its field, and download
the edited TOML."""

from __future__ import annotations

import solara

from simulator.dashboard import form, state

ERROR_STYLE = {"color": "#b00020", "font-size": "0.85em"}


@solara.component
def ScenarioPicker() -> None:
    files = state.scenario_files()
    current = state.source.value

    def pick(name: str | None) -> None:
        if name in files:
            state.load_file(files[name])

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Scenario", values=list(files), value=current.removesuffix(".toml") if current else None,
                      on_value=pick, style={"min-width": "320px", "max-width": "420px"})

        def dropped(info: dict) -> None:
            size = int(info["size"])
            content = info["file_obj"].read(state.MAX_UPLOAD_BYTES + 1) if size <= state.MAX_UPLOAD_BYTES else b""
            state.load_upload(info["name"], size, content)

        solara.FileDrop(label="or drop a scenario's .toml file here", on_file=dropped, lazy=True)
        if state.data.value:
            solara.FileDownload(state.toml_text, filename=f"{scenario_name()}.toml", label="Download TOML",
                                mime_type="application/toml")
    if state.load_error.value:
        solara.Error(state.load_error.value)


def scenario_name() -> str:
    name = form.get(state.data.value, ("scenario", "name"))
    return name if isinstance(name, str) and name else "scenario"


@solara.component
def PasteToml() -> None:
    """Load a scenario from its TOML text (the keyboard's way to upload one), or copy the current one out."""
    text = solara.use_reactive("")
    with solara.Details(summary="Paste a scenario's TOML (or copy the current one)"):
        solara.InputTextArea("Scenario TOML", value=text, rows=8, continuous_update=True)
        with solara.Row():
            solara.Button("Load this TOML", on_click=lambda: state.load_text(text.value, "pasted"),
                          disabled=not text.value.strip())
            solara.Button("Show the current scenario's TOML", on_click=lambda: text.set(state.toml_text()),
                          outlined=True, disabled=not state.data.value)


@solara.component
def Field(spec: form.FieldSpec, problem: str) -> None:
    value = form.get(state.data.value, spec.path)
    hint = spec.description + ("" if value is not None or spec.default is None else " (the default)")
    draft = state.drafts.value.get(spec.dotted)
    error = draft[1] if draft else problem
    label = spec.label.replace("_", " ")
    if spec.kind == "boolean":
        with solara.Column(gap="0px", style={"margin-bottom": "8px"}):
            solara.Checkbox(label=label, value=bool(spec.default if value is None else value),
                            on_value=lambda v: state.set_value(spec, v))
            solara.Text(hint, style={"font-size": "0.8em", "color": "#555"})
            if error:
                solara.Text(error, style=ERROR_STYLE)
    elif spec.kind == "choice":
        with solara.Column(gap="0px", style={"margin-bottom": "8px"}):
            solara.Select(label, values=list(spec.choices), value=spec.default if value is None else value,
                          on_value=lambda v: state.set_value(spec, v))
            solara.Text(hint, style={"font-size": "0.8em", "color": "#555"})
            if error:
                solara.Text(error, style=ERROR_STYLE)
    else:
        solara.InputText(label, value=draft[0] if draft else form.show(spec, value),
                         on_value=lambda text: state.set_text(spec, text), error=error or False,
                         message=hint, hide_details=False, placeholder="not set" if spec.nullable else None)


def _count(section: form.Section, problems: dict[str, str]) -> int:
    prefix = form.dotted(section.path)
    return sum(1 for where in problems if not prefix or where == prefix or where.startswith(prefix + "."))


@solara.component
def SectionView(section: form.Section, problems: dict[str, str]) -> None:
    found = _count(section, problems)
    title = section.title.replace("_", " ") + (f" ({found} problem{'s' * (found != 1)})" if found else "")
    with solara.Details(summary=title, expand=bool(found)):
        if section.description:
            solara.Text(section.description, style={"font-style": "italic", "color": "#444"})
        own = problems.get(form.dotted(section.path))
        if own:
            solara.Text(own, style=ERROR_STYLE)
        for spec in section.fields:
            Field(spec, problems.get(spec.dotted, "")).key(spec.dotted)
        for sub in section.sections:  # keyed by path: a panel stays open while the form around it changes
            SectionView(sub, problems).key(form.dotted(sub.path))
        if section.removable:
            solara.Button(f"Remove {section.title}", outlined=True,
                          on_click=lambda: state.data.set(form.remove_item(state.data.value, section.path)))
        if section.collection:
            CollectionAdd(section)


@solara.component
def CollectionAdd(section: form.Section) -> None:
    if section.addable == ("item",):
        solara.Button(f"Add to {section.title}", outlined=True,
                      on_click=lambda: state.data.set(form.add_item(state.data.value, section.path)))
        return
    with solara.Row():
        for key in section.addable:
            solara.Button(f"Add {key}", outlined=True,
                          on_click=lambda key=key: state.data.set(form.add_item(state.data.value, section.path, key)))


@solara.component
def ScenarioTab() -> None:
    ScenarioPicker()
    PasteToml()
    if not state.data.value:
        solara.Info("Pick a scenario above, or load one, to edit it.")
        return
    problems = form.problems(state.data.value)
    drafts = state.drafts.value
    if problems or drafts:
        solara.Error(f"{len(problems) + len(drafts)} problem(s): the scenario cannot run until they are fixed.")
        with solara.Column(gap="2px"):
            for where, message in {**problems, **{k: v[1] for k, v in drafts.items()}}.items():
                solara.Text(f"{where}: {message}", style=ERROR_STYLE)
    else:
        solara.Success(f"{state.source.value}: valid ({scenario_name()}); ready to run.")
    root = form.build(state.data.value)
    for spec in root.fields:
        Field(spec, problems.get(spec.dotted, "")).key(spec.dotted)
    for section in root.sections:
        SectionView(section, problems).key(form.dotted(section.path))
