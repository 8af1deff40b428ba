"""Validated descriptions of scripted replies and injected faults.

The same models serve the Python API (``FakeOpenAI.script``/``fail``...), the HTTP admin endpoints
(``POST /_fake/...``) and the ``--script FILE`` JSON of the stand-alone server, so all three accept exactly the
same shapes and reject bad ones with a message naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# ``None`` for ``times`` means "every matching request until reset" (a sticky reply or an outage).
Times = Annotated[int | None, Field(ge=1)]


class ToolCallSpec(BaseModel):
    """One tool call the fake model should emit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)


class ReplySpec(BaseModel):
    """A scripted assistant reply; exactly one of ``text``, ``json``, ``tool_args`` or ``tool_calls``.

    ``json`` becomes the message content (JSON-encoded) for a ``json_schema``/``json_object`` request, and the
    tool-call arguments when the request forced a tool (function-calling structured output).
    ``tool_args`` calls the forced tool, else the tool named by the matched key, else the first offered tool.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    text: str | None = None
    json_value: Any = Field(default=None, alias="json")
    tool_args: dict[str, Any] | None = None
    tool_calls: list[ToolCallSpec] | None = None
    times: Times = 1

    @model_validator(mode="after")
    def _exactly_one_payload(self) -> ReplySpec:
        given = [
            name
            for name, value in (
                ("text", self.text),
                ("json", self.json_value),
                ("tool_args", self.tool_args),
                ("tool_calls", self.tool_calls),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"a reply needs exactly one of text, json, tool_args, tool_calls; got {given or 'none'}"
            )
        return self


class FailFault(BaseModel):
    """Answer with an HTTP error status and an OpenAI-style error body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["fail"] = "fail"
    status: int = Field(ge=400, le=599)
    # 1 ms by default so SDK retries in tests are immediate; None sends no retry-after header (SDK backoff).
    retry_after_ms: int | None = Field(default=1, ge=1)
    message: str | None = None
    times: Times = 1


class DelayFault(BaseModel):
    """Wait before answering (normally), to provoke client timeouts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["delay"] = "delay"
    seconds: float = Field(gt=0)
    times: Times = 1


class MalformedFault(BaseModel):
    """Answer 200 with content (or tool arguments) that is not valid JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["malformed"] = "malformed"
    times: Times = 1


Fault = Annotated[FailFault | DelayFault | MalformedFault, Field(discriminator="kind")]


class ScriptFile(BaseModel):
    """Everything a test can queue up front, keyed like the Python API (``--script FILE``, ``POST /_fake/load``)."""

    model_config = ConfigDict(extra="forbid")

    replies: dict[str, list[ReplySpec]] = Field(default_factory=dict)
    faults: dict[str, list[Fault]] = Field(default_factory=dict)


class KeyedReply(ReplySpec):
    """Body of ``POST /_fake/script``: a reply plus the request key it answers."""

    key: str = Field(min_length=1)


class KeyedFail(FailFault):
    """Body of ``POST /_fake/fail``."""

    key: str = Field(min_length=1)


class KeyedDelay(DelayFault):
    """Body of ``POST /_fake/delay``."""

    key: str = Field(min_length=1)


class KeyedMalformed(MalformedFault):
    """Body of ``POST /_fake/malformed``."""

    key: str = Field(min_length=1)
