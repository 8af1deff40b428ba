"""LLM access: one OpenAI-compatible chat model per role, structured outputs, and the offline switch.

With no endpoint configured every agent runs its deterministic offline path. With one, agents call
``invoke_structured``; when the endpoint keeps failing (after the SDK's own retries) or returns output that
does not parse twice in a row, it raises ``LLMUnavailable`` and the agent degrades to its offline path and
labels the result ``offline_fallback`` — never a silent substitution.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

import openai
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ValidationError

from core.clock import now
from core.db import session_scope
from core.masking import mask_text
from core.models import LlmUsage
from core.settings import Settings, get_settings
from core.tokens import CallUsage, cost_of, count_tokens

log = logging.getLogger(__name__)
SchemaT = TypeVar("SchemaT", bound=BaseModel)
PARSE_ATTEMPTS = 2


class LLMUnavailable(RuntimeError):
    """The endpoint failed or answered unusably; the caller must take its offline path and say so."""


def load_chat_model(role: str, settings: Settings | None = None) -> ChatOpenAI | None:
    """The chat model for an agent role, or None in offline mode."""
    settings = settings or get_settings()
    if settings.offline:
        return None
    return ChatOpenAI(
        model=settings.model_for(role),
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=0.3,
        # Compatible servers (DeepSeek, Qwen, vLLM, Ollama) speak chat completions, not the Responses API.
        use_responses_api=False,
        stream_usage=True,
    )


def invoke_structured(
    role: str, schema: type[SchemaT], messages: Sequence[BaseMessage], *, run_id: str
) -> SchemaT:
    """Ask the role's model for an instance of ``schema``; record tokens and cost for the run."""
    model = load_chat_model(role)
    if model is None:
        raise LLMUnavailable("offline mode: no LLM endpoint configured")
    structured = model.with_structured_output(schema, method="json_schema", include_raw=True)
    # The one choke point for outgoing prompts: whatever a brief or a product text carried, the model never
    # sees a full phone, ID or card number (个人信息保护法 minimisation).
    messages = [_masked(m) for m in messages]
    last_problem = ""
    for attempt in range(1, PARSE_ATTEMPTS + 1):
        try:
            result: dict[str, Any] = structured.invoke(list(messages))
        except openai.APIError as exc:
            record_usage(
                run_id, role, model.model_name, messages, None, outcome=f"error:{type(exc).__name__}"
            )
            raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except (ValidationError, OutputParserException) as exc:
            # The SDK's own json_schema parsing raises before include_raw can capture the problem.
            record_usage(run_id, role, model.model_name, messages, None, outcome="unparsed")
            last_problem = str(exc)
            log.warning(
                "role %s: unparsable structured output (attempt %d): %s", role, attempt, last_problem[:200]
            )
            continue
        parsed = result.get("parsed")
        record_usage(
            run_id,
            role,
            model.model_name,
            messages,
            result.get("raw"),
            outcome="ok" if parsed else "unparsed",
        )
        if isinstance(parsed, schema):
            return parsed
        last_problem = str(result.get("parsing_error") or "no structured output")
        log.warning(
            "role %s: unparsable structured output (attempt %d): %s", role, attempt, last_problem[:200]
        )
    raise LLMUnavailable(f"malformed structured output after {PARSE_ATTEMPTS} attempts: {last_problem[:200]}")


def _masked(message: BaseMessage) -> BaseMessage:
    if isinstance(message.content, str):
        return message.model_copy(update={"content": mask_text(message.content)})
    return message


def record_usage(
    run_id: str, role: str, model: str, messages: Sequence[BaseMessage], raw: Any, *, outcome: str
) -> CallUsage:
    usage_meta = getattr(raw, "usage_metadata", None) if raw is not None else None
    if usage_meta:
        prompt_tokens, completion_tokens, estimated = (
            usage_meta["input_tokens"],
            usage_meta["output_tokens"],
            False,
        )
    else:
        prompt_tokens = sum(count_tokens(str(m.content)) for m in messages)
        completion_tokens = count_tokens(str(getattr(raw, "content", "") or "")) if raw is not None else 0
        estimated = True
    usage = CallUsage(
        role=role,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost_usd=cost_of(prompt_tokens, completion_tokens),
        estimated=estimated,
        outcome=outcome,
    )
    with session_scope() as session:
        session.add(
            LlmUsage(
                run_id=run_id,
                role=role,
                model=model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost_usd=usage.cost_usd,
                outcome=outcome,
                at=now(),
            )
        )
    return usage
