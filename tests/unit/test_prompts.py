"""Every prompt template renders with StrictUndefined, and a missing variable is an error, not a blank."""

from __future__ import annotations

import pytest

from prompts.loader import PromptRenderError, render, template_names


def test_missing_variable_is_an_error():
    with pytest.raises(PromptRenderError, match="brief"):
        render("plan/brief.j2", products=[])


def test_user_text_is_data_not_template():
    out = render("plan/brief.j2", brief="{{ 7*7 }} {% if %}", products=[])
    assert "{{ 7*7 }} {% if %}" in out


def test_every_template_is_listed():
    names = template_names()
    assert "plan/system.j2" in names and "offline/sms.j2" in names
    assert len(names) >= 10
