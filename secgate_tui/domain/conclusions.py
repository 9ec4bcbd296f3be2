"""The reviewer's conclusions: the judgement part of the review minutes (4.1.8).

The reviewer answers the standard's three questions (was the problem-resolution
process complete, efficient, and did it lead to resolution) and lists the
improvement actions. The caller reads the TOML file; this module only parses
its text, so a bad file is refused before anything is written anywhere.

Shape (extend it, don't rename)::

    complete = { answer = "yes", comment = "..." }
    efficient = { answer = "no", comment = "..." }
    resolution = { answer = "yes", comment = "...", explanation = "..." }  # explanation optional
    summary = "..."                  # optional
    participants = ["qa.lead", ...]  # optional
    [[actions]]
    title = "Add triage SLA for security defects"
    owner = "qa.lead"
    due = 2027-03-01
    description = "..."              # optional
    [defects."IPC-12"]               # optional: a deployed defect's analysis
    root_cause = "..."
    field_action = "..."
    disclosure = "..."
    [previous_actions."IPC-154"]     # the previous review's action (issue key or title)
    effective = "yes"                # yes | no | too-early
    comment = "..."

Whether the answers agree with the figures is checked later, against the
figures (:mod:`~secgate_tui.domain.review_checks`): this module only checks the
file's shape, so a retry of a review recorded before those checks still parses.
The fields added by issue 15 are left out of the JSON while empty, so records
written before keep their digests.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, NoReturn

from pydantic import BaseModel, ConfigDict, Field


class ConclusionsError(ValueError):
    """The conclusions text is unusable; the message is one paragraph for a person."""


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


def _empty(value: object) -> bool:
    return not value


class Conclusion(BaseModel):
    """The answer to one of the review's questions, with the reviewer's comment.

    ``explanation`` is why the answer stands although the figures contradict it
    (see :mod:`~secgate_tui.domain.review_checks`); the record shows it next to
    the contradiction.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    answer: Answer
    comment: str = ""
    explanation: str = Field("", exclude_if=_empty)


class Effectiveness(StrEnum):
    """Did a previous review's action work (ISO 13485 8.5.2 effectiveness check)?"""

    YES = "yes"
    NO = "no"
    TOO_EARLY = "too-early"


class ActionReview(BaseModel):
    """The reviewer's judgement of one action of the previous review."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective: Effectiveness
    comment: str = ""


class DefectStatement(BaseModel):
    """The reviewer's analysis of a deployed defect; overrides what the tracker states."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    root_cause: str = ""
    field_action: str = ""
    disclosure: str = ""


class ActionLink(BaseModel):
    """The tracker issue created for an action (``--create-actions``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    key: str
    url: str = ""


class ImprovementAction(BaseModel):
    """A corrective / improvement action decided by the review.

    ``issue`` is never read from the conclusions file: it is set once the
    action's tracker issue exists (see ``review_record.with_action_links``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    owner: str
    due: date
    description: str = ""
    issue: ActionLink | None = None


class ReviewConclusions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    complete: Conclusion
    efficient: Conclusion
    resolution: Conclusion
    actions: tuple[ImprovementAction, ...] = ()
    summary: str = ""
    participants: tuple[str, ...] = ()
    #: Per deployed defect's issue key: the reviewer's analysis.
    defects: dict[str, DefectStatement] = Field(default_factory=dict, exclude_if=_empty)
    #: Per previous action (its issue key, else its title): was it effective?
    previous_actions: dict[str, ActionReview] = Field(default_factory=dict, exclude_if=_empty)


#: The standard's three questions, in the order the minutes ask them.
QUESTIONS: Final = {
    "complete": "Was the security problem-resolution process complete?",
    "efficient": "Was it efficient?",
    "resolution": "Did it lead to resolution?",
}
_TOP_KEYS: Final = {
    *QUESTIONS,
    "actions",
    "summary",
    "participants",
    "defects",
    "previous_actions",
}
_ACTION_KEYS: Final = {"title", "owner", "due", "description"}
_ANSWER_KEYS: Final = {"answer", "comment", "explanation"}
_DEFECT_KEYS: Final = {"root_cause", "field_action", "disclosure"}
_EFFECTIVE_EXAMPLE: Final = '[previous_actions."IPC-154"] effective = "yes", comment = "..."'

_EXAMPLE: Final = '{key} = {{ answer = "yes", comment = "..." }}'


def parse_conclusions(text: str, source: str = "the conclusions file") -> ReviewConclusions:
    """Parse and validate the reviewer's conclusions.

    Args:
        text: the TOML text (the caller reads the file).
        source: how to name the text in messages, e.g. the file's path.

    Raises:
        ConclusionsError: the first problem found, saying which key is wrong,
            what is wrong with it and what to write instead.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConclusionsError(
            f"{source} is not valid TOML ({error}). Nothing was written. Fix the syntax; "
            f"each answer looks like: {_EXAMPLE.format(key='complete')}"
        ) from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        _fail(
            source,
            unknown[0],
            "is not a key secgate knows",
            f"use only {', '.join(sorted(_TOP_KEYS))} (check the spelling)",
        )
    answers = {key: _conclusion(data, key, source) for key in QUESTIONS}
    return ReviewConclusions(
        complete=answers["complete"],
        efficient=answers["efficient"],
        resolution=answers["resolution"],
        actions=tuple(_actions(data.get("actions", []), source)),
        summary=_text(data, "summary", source),
        participants=_participants(data.get("participants", []), source),
        defects=_defects(data.get("defects", {}), source),
        previous_actions=_previous_actions(data.get("previous_actions", {}), source),
    )


def _fail(source: str, key: str, problem: str, fix: str) -> NoReturn:
    raise ConclusionsError(
        f"In {source}, '{key}' {problem}. Nothing was written; {fix}, then run the command again."
    )


def _conclusion(data: dict[str, Any], key: str, source: str) -> Conclusion:
    example = _EXAMPLE.format(key=key)
    question = QUESTIONS[key]
    if key not in data:
        _fail(source, key, f"is missing (it answers: {question})", f"add the line {example}")
    value = data[key]
    if not isinstance(value, dict):
        _fail(
            source,
            key,
            f"must be a table with an answer and a comment, not {value!r}",
            f"write {example}",
        )
    extra = sorted(set(value) - _ANSWER_KEYS)
    if extra:
        _fail(source, f"{key}.{extra[0]}", "is not a key secgate knows", f"write {example}")
    answer = value.get("answer")
    if answer is None:
        _fail(source, f"{key}.answer", "is missing", f"write {example}")
    if not isinstance(answer, str) or answer.strip().casefold() not in {"yes", "no"}:
        _fail(
            source,
            f"{key}.answer",
            f'is {answer!r}, but only "yes" or "no" is allowed',
            f'answer "{question}" with answer = "yes" or answer = "no"',
        )
    comment = value.get("comment", "")
    if not isinstance(comment, str):
        _fail(source, f"{key}.comment", f"must be text, not {comment!r}", 'write comment = "..."')
    chosen = Answer(answer.strip().casefold())
    if chosen is Answer.NO and not comment.strip():
        # A "no" is the finding the improvement actions follow from; the minutes need its why.
        _fail(
            source,
            f"{key}.comment",
            'is empty, but an answer "no" needs a comment saying what fell short',
            f'write {key} = {{ answer = "no", comment = "what fell short and why" }}',
        )
    explanation = value.get("explanation", "")
    if not isinstance(explanation, str):
        _fail(
            source,
            f"{key}.explanation",
            f"must be text, not {explanation!r}",
            'write explanation = "why the answer stands although the figures say otherwise"',
        )
    return Conclusion(answer=chosen, comment=comment.strip(), explanation=explanation.strip())


def _actions(value: object, source: str) -> list[ImprovementAction]:
    if not isinstance(value, list):
        _fail(
            source,
            "actions",
            "must be a list of [[actions]] tables",
            "write each action as a [[actions]] table with title, owner and due = 2027-03-01",
        )
    actions = []
    for number, item in enumerate(value, start=1):
        where = f"actions #{number}"
        if not isinstance(item, dict):
            _fail(source, where, f"is {item!r}, not a table", "write it as an [[actions]] table")
        extra = sorted(set(item) - _ACTION_KEYS)
        if extra:
            _fail(
                source,
                f"{where}: {extra[0]}",
                "is not a key secgate knows",
                f"use only {', '.join(sorted(_ACTION_KEYS))}",
            )
        title = _required_text(item, "title", where, source, 'title = "Add triage SLA ..."')
        owner = _required_text(item, "owner", where, source, 'owner = "qa.lead"')
        actions.append(
            ImprovementAction(
                title=title,
                owner=owner,
                due=_due(item.get("due"), where, source),
                description=_text(item, "description", source, where),
            )
        )
    return actions


def _required_text(item: dict[str, Any], key: str, where: str, source: str, hint: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problem = "is missing" if value is None else f"is {value!r}, not a non-empty text"
        _fail(source, f"{where}: {key}", problem, f"every action needs one; write {hint}")
    return value.strip()


def _due(value: object, where: str, source: str) -> date:
    # TOML has a date type (due = 2027-03-01); a quoted ISO date is forgiven.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    problem = "is missing" if value is None else f"is {value!r}, not a date"
    _fail(source, f"{where}: due", problem, "write the due day unquoted, e.g. due = 2027-03-01")


def _text(data: dict[str, Any], key: str, source: str, where: str = "") -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        name = f"{where}: {key}" if where else key
        _fail(source, name, f"must be text, not {value!r}", f'write {key} = "..."')
    return str(value).strip()


def _participants(value: object, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(
            source,
            "participants",
            f"must be a list of names, not {value!r}",
            'write participants = ["qa.lead", "security.officer"]',
        )
    return tuple(name.strip() for name in value if name.strip())


def _table(value: object, source: str, name: str, example: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        _fail(source, name, f"must be tables keyed by issue, not {value!r}", f"write {example}")
    return value


def _defects(value: object, source: str) -> dict[str, DefectStatement]:
    example = '[defects."IPC-12"] root_cause = "...", field_action = "...", disclosure = "..."'
    statements = {}
    for key, item in _table(value, source, "defects", example).items():
        extra = sorted(set(item) - _DEFECT_KEYS)
        if extra:
            _fail(
                source,
                f"defects.{key}.{extra[0]}",
                "is not a key secgate knows",
                f"use only {', '.join(sorted(_DEFECT_KEYS))}",
            )
        texts = {name: _text(item, name, source, f"defects.{key}") for name in _DEFECT_KEYS}
        statements[key.strip()] = DefectStatement(**texts)
    return statements


def _previous_actions(value: object, source: str) -> dict[str, ActionReview]:
    reviews = {}
    for key, item in _table(value, source, "previous_actions", _EFFECTIVE_EXAMPLE).items():
        where = f"previous_actions.{key}"
        extra = sorted(set(item) - {"effective", "comment"})
        if extra:
            _fail(
                source,
                f"{where}.{extra[0]}",
                "is not a key secgate knows",
                "use effective, comment",
            )
        effective = item.get("effective")
        allowed = [e.value for e in Effectiveness]
        if not isinstance(effective, str) or effective.strip().casefold() not in allowed:
            _fail(
                source,
                f"{where}.effective",
                f"is {effective!r}, but only {', '.join(repr(a) for a in allowed)} is allowed",
                f"say whether the action worked, e.g. {_EFFECTIVE_EXAMPLE}",
            )
        chosen = Effectiveness(effective.strip().casefold())
        comment = _text(item, "comment", source, where)
        if chosen is not Effectiveness.YES and not comment:
            _fail(
                source,
                f"{where}.comment",
                f'is empty, but effective = "{chosen.value}" needs a comment saying why',
                f'write {where} = {{ effective = "{chosen.value}", comment = "why" }}',
            )
        reviews[key.strip()] = ActionReview(effective=chosen, comment=comment)
    return reviews
