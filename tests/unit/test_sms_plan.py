"""SMS plans: a submitted document with several messages is checked message by message.

A plan's bracketed title is not a signature, each wave needs its own signature and opt-out, a send time written
above a wave is judged against the window, and the fixes land on the message that needs them."""

from __future__ import annotations

from datetime import time

from tests.unit.compliance_checks import DAY, fired_rules
from tools.compliance import auto_fix, check
from tools.compliance.sms_plan import plan_messages

HEADER = (
    "【短信营销计划·送审】大额存单发行期触达\n提交人：零售存款部　签名：【示例银行】\n\n二、发送安排与文案\n"
)


def wave(label: str, message: str) -> str:
    return f"{label}\n{message}\n（约2条计费）\n\n"


GOOD_PLAN = (
    HEADER
    + wave(
        "第1波　9月2日（周二）10:00　首发",
        "【示例银行】大额存单发行中，3年期年利率2.15%，20万元起。拒收请回复R",
    )
    + wave(
        "第2波　9月16日（周二）12:30　算例", "【示例银行】认购20万元持有满3年，到期利息12,900元。拒收请回复R"
    )
    + "三、交易通知模板（非营销，认购成功后触发）\n"
    + "【示例银行】您尾号6612的账户已成功认购大额存单。如非本人操作请致电400-000-0000。\n"
)


def check_plan(text: str) -> list[tuple[str, str | None]]:
    result = check(text, "sms", "deposit", bank_short_name="示例银行", on_date=DAY)
    return [(finding.rule_id, finding.span.quote if finding.span else None) for finding in result.findings]


def test_a_single_message_is_not_a_plan() -> None:
    assert plan_messages("【示例银行】大额存单发行中，20万元起。拒收请回复R", "示例银行") == ()


def test_a_plans_messages_and_their_send_times_are_read() -> None:
    messages = plan_messages(GOOD_PLAN, "示例银行")
    assert [message.send_time for message in messages] == [time(10, 0), time(12, 30), None]
    assert all(message.signed for message in messages)
    assert GOOD_PLAN[messages[0].start : messages[0].end].startswith("【示例银行】大额存单发行中")


def test_a_plans_title_is_not_read_as_its_signature() -> None:
    assert check_plan(GOOD_PLAN) == []
    # The same title over a single unsigned message is still a message without a signature.
    assert "SMS-01" in fired_rules(
        "【短信营销计划·送审】\n大额存单发行中，20万元起。拒收请回复R", "sms", "deposit"
    )


def test_a_wave_scheduled_after_21_is_outside_the_send_window() -> None:
    late = GOOD_PLAN.replace("12:30　算例", "21:20　算例")
    assert ("SMS-04", "21:20") in check_plan(late)
    assert not any(
        rule == "SMS-04" for rule, _ in check_plan(GOOD_PLAN.replace("12:30　算例", "20:59　算例"))
    )


def test_a_wave_without_its_signature_or_opt_out_is_named() -> None:
    unsigned = GOOD_PLAN.replace("【示例银行】认购20万元", "认购20万元")
    assert ("SMS-01", "认购20万元持有满3年，到期利息12,900元。拒收请回复R") in check_plan(unsigned)
    no_optout = GOOD_PLAN.replace("12,900元。拒收请回复R", "12,900元。")
    assert ("SMS-02", "【示例银行】认购20万元持有满3年，到期利息12,900元。") in check_plan(no_optout)


def test_a_rule_about_times_is_not_a_schedule_and_a_notice_needs_no_opt_out() -> None:
    rules_section = (
        "二、频次与时间\n· 发送时间限定在工作日10:00–12:00、14:00–17:00；\n· 第2条发送前剔除已认购客户。\n"
    )
    # A bullet under a line about allowed times is not an unsigned message; the notice template has no send
    # time, so it is not a marketing wave that needs an opt-out.
    assert (
        check_plan(GOOD_PLAN.replace("二、发送安排与文案\n", rules_section + "\n二、发送安排与文案\n")) == []
    )


def test_a_transactional_check_ignores_plan_times() -> None:
    late = GOOD_PLAN.replace("12:30　算例", "22:10　算例")
    assert "SMS-04" not in fired_rules(late, "sms", "deposit", message_type="transactional")


def test_fixes_land_on_the_message_that_needs_them() -> None:
    broken = GOOD_PLAN.replace("【示例银行】认购20万元", "认购20万元").replace(
        "20万元起。拒收请回复R", "20万元起。"
    )
    result = check(broken, "sms", "deposit", bank_short_name="示例银行", on_date=DAY)
    fixed = auto_fix(broken, "sms", "deposit", result.findings, sms_signature="示例银行")
    assert sorted(fixed.applied) == ["SMS-01", "SMS-02"]
    assert "【示例银行】认购20万元" in fixed.text
    assert "20万元起。拒收请回复R\n" in fixed.text
    assert fixed.text.startswith("【短信营销计划·送审】")  # nothing is put before the plan's title
    assert check_plan(fixed.text) == []


def test_messages_signed_at_their_end_make_a_plan_too() -> None:
    plan = (
        "【短信触达方案·送审】信用卡账单分期告知\n\n"
        + wave(
            "第1条（第1周 周二 10:30）",
            "账单分期年化利率（单利）6.5%起，详见手机银行。拒收请回复R【示例银行】",
        )
        + wave(
            "第2条（第2周 周三 21:30）",
            "账单分期可选3至24期，年化利率（单利）6.5%起。拒收请回复R【示例银行】",
        )
    )
    assert [message.send_time for message in plan_messages(plan, "示例银行")] == [time(10, 30), time(21, 30)]
    assert [rule for rule, _ in check_plan(plan)] == ["SMS-04"]
