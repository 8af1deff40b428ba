"""Rule behaviours added for wording seen in fresh copy: who speaks in a call script, refusal promises,
prices quoted "from" an amount, and anti-fraud texts."""

from __future__ import annotations

from tests.unit.compliance_checks import fired_rules

REFUSAL = "\n客户：不需要。\n{speaker}：好的，我们不再就此产品致电，再见。"


_rules = fired_rules


def test_a_human_agent_script_needs_no_ai_disclosure_but_a_bot_script_does() -> None:
    opening = "{speaker}：您好，我是示例银行的客户经理小周，本次通话将被录音，想向您介绍一年期定期存款。"
    human = opening.format(speaker="坐席") + REFUSAL.format(speaker="坐席")
    bot = opening.format(speaker="机器人") + REFUSAL.format(speaker="机器人")
    assert "CALL-04" not in _rules(human, "call_script", "deposit")
    assert "CALL-04" in _rules(bot, "call_script", "deposit")  # a bot calling itself a manager, undisclosed


def test_a_speaker_label_or_a_customers_question_is_no_ai_disclosure() -> None:
    text = (
        "机器人：您好，我是示例银行的小周，本次通话将被录音。\n客户：你是真人还是机器人？\n"
        "机器人：您放心。" + REFUSAL.format(speaker="机器人")
    )
    assert "CALL-04" in _rules(text, "call_script", "deposit")


def test_a_refusal_promise_may_name_the_product() -> None:
    text = (
        "机器人：您好，我是示例银行的智能语音助手，本次通话将被录音，想向您介绍一年期定期存款。"
        + REFUSAL.format(speaker="机器人")
    )
    assert "CALL-03" not in _rules(text, "call_script", "deposit")


def test_a_price_quoted_from_an_amount_is_not_the_minimum_loan() -> None:
    text = "【示例银行】示例e贷年化利率（单利）3.6%起，借1万元用1天利息约0.99元起，请理性借贷。拒收请回复R"
    assert "FM-06" not in _rules(text, "sms", "consumer_loan", product_id="CL-001")
    wrong = "【示例银行】示例e贷年化利率（单利）3.6%起，500元起借，请理性借贷。拒收请回复R"
    assert "FM-06" in _rules(wrong, "sms", "consumer_loan", product_id="CL-001")


def test_coordinated_terms_share_a_negation() -> None:
    text = "理财非存款，正规理财产品也不会承诺保本保收益，产品有风险，投资须谨慎。"
    assert "FM-01" not in _rules(text, "wechat", "wealth")
    assert "FM-01" in _rules("本产品保本保收益。理财非存款、产品有风险、投资须谨慎。", "wechat", "wealth")


def test_an_amount_range_is_checked_against_the_sheet() -> None:
    base = "【示例银行】示例e贷额度1000元至{top}，年化利率（单利）3.6%–18.0%，请理性借贷。拒收请回复R"
    assert "FM-06" in _rules(base.format(top="30万元"), "sms", "consumer_loan", product_id="CL-001")
    assert "FM-06" not in _rules(base.format(top="20万元"), "sms", "consumer_loan", product_id="CL-001")
