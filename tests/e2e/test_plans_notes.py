"""Preview notes through the real engine: on the resource, where CI captures them, once, only for what happens."""

from __future__ import annotations

from runpod_programs import base_cfg, program, v1_env

ROLLING = "rolling release"


def _block(stdout: str, name: str) -> str:
    """The part of a ``preview --diff`` output that belongs to the resource ``name`` (up to the next one)."""
    lines = stdout.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.strip().startswith("[urn=") and line.strip().endswith(f"::{name}]")
    )
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].strip().startswith("[urn=") or lines[i].startswith("Resources:")
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


def test_rolling_release_note_is_under_the_endpoint_in_diff_stdout_plain_preview_and_json(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    endpoint_urn = stack.resource_state("api")["urn"]
    # when
    cfg["endpoint"]["gpu_type_ids"] = ["NVIDIA A40"]
    diff = stack.preview()
    plain = stack.preview(diff=False)
    # then: preview --diff, stdout only (what `pulumi preview --diff 2>/dev/null > plan.txt` keeps)
    assert diff.stdout.count(ROLLING) == 1
    assert ROLLING in _block(diff.stdout, "api")
    assert "plan_notes" in _block(diff.stdout, "api")
    assert diff.step("api").notes == ["rolling release — changing gpu_type_ids replaces running workers"]
    # the JSON/event diagnostics carry it with the endpoint's URN, once
    noted = [(urn, sev) for urn, sev, msg in diff.resource_diagnostics if ROLLING in msg]
    assert noted == [(endpoint_urn, "warning")]
    # the plain preview lists it under the endpoint
    assert (
        "pulumi-python:dynamic/runpod:Endpoint (api):\n    warning: runpod:Endpoint 'api': rolling release"
        in plain.stdout
    )


def test_up_stores_no_notes_and_refresh_says_none(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    # when
    cfg["endpoint"]["gpu_type_ids"] = ["NVIDIA A40"]
    stack.up()
    emulator.patch("runpod", "endpoints", stack.resource_state("api")["id"], workersMax=7)  # drift
    refreshed = stack.refresh()
    # then
    state = stack.resource_state("api")
    assert "plan_notes" not in state["inputs"] and "plan_notes" not in state["outputs"]
    assert ROLLING not in refreshed.text
    assert [d for d in refreshed.resource_diagnostics if ROLLING in d[2]] == []


def test_a_template_replacement_notes_each_resource_once_and_only_what_happens(emulator, emulator_process, make_stack):
    # given: REST v1, whose template update cannot change a category (v2 patches it)
    cfg = base_cfg()
    stack = make_stack(program(cfg), env=v1_env(emulator_process.base_urls))
    stack.up()
    # when
    cfg["template"]["category"] = "AMD"
    preview = stack.preview()
    # then
    assert preview.step("worker").notes == [
        "category changing it replaces the object on REST v1 (its template update does not accept it); REST v2 "
        "updates it in place"
    ]
    assert "[unknown]" not in _block(preview.stdout, "worker")
    assert preview.stdout.count(ROLLING) == 1  # the endpoint moves to the new template
    assert [urn.rsplit("::", 1)[-1] for urn, _, msg in preview.resource_diagnostics if ROLLING in msg] == ["api"]
    assert preview.step("data").notes == [] and "data" not in {
        u.rsplit("::", 1)[-1] for u, _, _ in preview.resource_diagnostics
    }


def test_a_long_note_is_printed_whole_in_diff_stdout(emulator, make_stack):
    # given: a template edit, whose note (it does not reach the endpoint) is longer than the 150 bytes
    # the CLI prints of a string property
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    # when
    cfg["template"]["image_name"] = "ghcr.io/acme/worker:1.1"
    cfg["template"]["env"] = {"MODE": "canary"}
    preview = stack.preview()
    # then: the whole note is in stdout, in entries the CLI did not cut
    (note,) = preview.step("worker").notes
    assert len(note.encode()) > 150 and note.endswith("set those settings on the Endpoint to roll its workers")
    block = _block(preview.stdout, "worker")
    assert '..."' not in block
    assert "to roll its workers" in block
