"""The reviewer's conclusions file: a good one parses, each bad one is refused clearly."""

from __future__ import annotations

from datetime import date

import pytest

from secgate_tui.domain.conclusions import (
    Answer,
    ConclusionsError,
    ImprovementAction,
    parse_conclusions,
)

GOOD = """
complete = { answer = "yes", comment = "Every security defect went through triage." }
efficient = { answer = "no", comment = "Median time to close was 41 days; target 30." }
resolution = { answer = "Yes", comment = "" }
summary = "Annual review 2026"
participants = ["qa.lead", " security.officer "]

[[actions]]
title = "Add triage SLA for security defects"
owner = "qa.lead"
due = 2027-03-01

[[actions]]
title = "  Automate CVE feed  "
owner = "dev.lead"
due = "2027-06-30"
description = "Subscribe the SBOM to the NVD feed."
"""

ANSWERS = """
complete = { answer = "yes", comment = "c" }
efficient = { answer = "yes", comment = "e" }
resolution = { answer = "yes", comment = "r" }
"""


def test_a_good_file() -> None:
    conclusions = parse_conclusions(GOOD)
    assert conclusions.complete.answer is Answer.YES
    assert conclusions.efficient.answer is Answer.NO
    assert conclusions.efficient.comment == "Median time to close was 41 days; target 30."
    assert conclusions.resolution.answer is Answer.YES  # "Yes" is unambiguous
    assert conclusions.summary == "Annual review 2026"
    assert conclusions.participants == ("qa.lead", "security.officer")
    assert conclusions.actions == (
        ImprovementAction(
            title="Add triage SLA for security defects", owner="qa.lead", due=date(2027, 3, 1)
        ),
        ImprovementAction(
            title="Automate CVE feed",
            owner="dev.lead",
            due=date(2027, 6, 30),
            description="Subscribe the SBOM to the NVD feed.",
        ),
    )


def test_answers_alone_are_enough() -> None:
    conclusions = parse_conclusions(ANSWERS)
    assert conclusions.actions == ()
    assert conclusions.participants == ()


def _without(key: str) -> str:
    return "\n".join(line for line in ANSWERS.splitlines() if not line.startswith(key))


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        (_without("efficient"), "'efficient' is missing", 'efficient = { answer = "yes"'),
        (
            ANSWERS.replace('answer = "yes", comment = "r"', 'comment = "r"'),
            "'resolution.answer' is missing",
            'resolution = { answer = "yes"',
        ),
        (
            ANSWERS.replace('answer = "yes", comment = "c"', 'answer = "maybe", comment = "c"'),
            "'complete.answer' is 'maybe', but only \"yes\" or \"no\" is allowed",
            'answer = "no"',
        ),
        (
            ANSWERS.replace('answer = "yes", comment = "c"', 'answer = true, comment = "c"'),
            "'complete.answer' is True",
            'answer = "yes"',
        ),
        (
            ANSWERS.replace('{ answer = "yes", comment = "e" }', '"yes"'),
            "'efficient' must be a table",
            'efficient = { answer = "yes", comment = "..." }',
        ),
        (
            ANSWERS.replace('answer = "yes", comment = "e"', 'answer = "no"'),
            "'efficient.comment' is empty",
            "what fell short",
        ),
        (
            ANSWERS.replace('comment = "c"', 'coment = "c"'),
            "'complete.coment' is not a key",
            'complete = { answer = "yes"',
        ),
        (ANSWERS + 'efficent = { answer = "yes" }\n', "'efficent' is not a key", "spelling"),
        (
            ANSWERS + '[[actions]]\nowner = "qa.lead"\ndue = 2027-03-01\n',
            "'actions #1: title' is missing",
            'title = "',
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "  "\nowner = "qa.lead"\ndue = 2027-03-01\n',
            "'actions #1: title' is '  ', not a non-empty text",
            'title = "',
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "T"\ndue = 2027-03-01\n',
            "'actions #1: owner' is missing",
            'owner = "qa.lead"',
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "T"\nowner = "o"\n',
            "'actions #1: due' is missing",
            "due = 2027-03-01",
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "T"\nowner = "o"\ndue = "next spring"\n',
            "'actions #1: due' is 'next spring', not a date",
            "due = 2027-03-01",
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "T"\nowner = "o"\ndue = 2027-03-01T10:00:00\n',
            "not a date",
            "due = 2027-03-01",
        ),
        (
            ANSWERS + '[[actions]]\ntitle = "T"\nowner = "o"\ndue = 2027-03-01\nprio = 1\n',
            "'actions #1: prio' is not a key",
            "description",
        ),
        (ANSWERS + 'actions = "none"\n', "'actions' must be a list", "[[actions]]"),
        (ANSWERS + "participants = [1]\n", "'participants' must be a list", "participants = ["),
        (ANSWERS + "summary = 3\n", "'summary' must be text", 'summary = "..."'),
    ],
)
def test_bad_input_names_the_key_the_problem_and_the_fix(text: str, key: str, hint: str) -> None:
    with pytest.raises(ConclusionsError) as caught:
        parse_conclusions(text, source="review.toml")
    message = str(caught.value)
    assert message.startswith("In review.toml, ")
    assert key in message
    assert hint in message
    assert "Nothing was written" in message
    assert "\n" not in message  # one paragraph


def test_invalid_toml_is_one_paragraph_with_the_position() -> None:
    with pytest.raises(ConclusionsError) as caught:
        parse_conclusions("complete = { answer = yes }", source="review.toml")
    message = str(caught.value)
    assert message.startswith("review.toml is not valid TOML (")
    assert "line 1" in message
    assert "Nothing was written" in message
    assert "\n" not in message


def test_the_error_is_a_value_error_without_a_chained_traceback() -> None:
    with pytest.raises(ValueError) as caught:
        parse_conclusions("= broken")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        (
            ANSWERS.replace('comment = "c"', 'comment = "c", explanation = 3'),
            "'complete.explanation' must be text",
            "explanation = ",
        ),
        (
            ANSWERS + '[previous_actions."IPC-9"]\neffective = "maybe"\n',
            "'previous_actions.IPC-9.effective' is 'maybe'",
            "'too-early'",
        ),
        (
            ANSWERS + '[previous_actions."IPC-9"]\neffective = "no"\n',
            "'previous_actions.IPC-9.comment' is empty",
            'effective = "no", comment = "why"',
        ),
        (
            ANSWERS + '[previous_actions."IPC-9"]\neffective = "yes"\nworked = true\n',
            "'previous_actions.IPC-9.worked' is not a key",
            "effective, comment",
        ),
        (ANSWERS + 'previous_actions = ["IPC-9"]\n', "'previous_actions' must be tables", ""),
        (
            ANSWERS + '[defects."IPC-12"]\nrootcause = "x"\n',
            "'defects.IPC-12.rootcause' is not a key",
            "disclosure, field_action, root_cause",
        ),
        (
            ANSWERS + '[defects."IPC-12"]\nroot_cause = 1\n',
            "'defects.IPC-12: root_cause' must be text",
            "root_cause = ",
        ),
    ],
)
def test_the_keys_of_issue_15_are_refused_clearly(text: str, key: str, hint: str) -> None:
    with pytest.raises(ConclusionsError) as info:
        parse_conclusions(text, source="review.toml")
    message = str(info.value)
    assert key in message and hint in message, message
    assert message.startswith("In review.toml") and "Nothing was written" in message


def test_the_keys_of_issue_15_parse() -> None:
    conclusions = parse_conclusions(
        ANSWERS.replace('comment = "r"', 'comment = "r", explanation = " D-4 is mitigated "')
        + '[defects."IPC-12"]\nroot_cause = "input validation"\ndisclosure = "CSAF 2026-3"\n'
        + '[previous_actions."IPC-9"]\neffective = "YES"\n'
    )
    assert conclusions.resolution.explanation == "D-4 is mitigated"
    assert conclusions.defects["IPC-12"].root_cause == "input validation"
    assert conclusions.defects["IPC-12"].field_action == ""
    assert conclusions.previous_actions["IPC-9"].effective.value == "yes"


def test_without_the_keys_of_issue_15_the_json_is_as_before() -> None:
    # Records written before keep their digests: empty new fields are left out.
    data = parse_conclusions(ANSWERS).model_dump(mode="json")
    assert set(data) == {
        "complete",
        "efficient",
        "resolution",
        "actions",
        "summary",
        "participants",
    }
    assert set(data["complete"]) == {"answer", "comment"}
