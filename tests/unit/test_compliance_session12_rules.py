"""Rule behaviours added after held-out set 7: FAQ questions, banned-wording lists under one heading, claims
reported as someone else's, bare headline yields, and paraphrased endorsements, comparisons and promises.

Each behaviour is tested both ways, with wording of our own, so a test fails if the rule stops firing or starts
firing on the look-alike."""

from __future__ import annotations

import pytest

from tests.unit.compliance_checks import DAY, fired_rules
from tools.compliance import check
from tools.compliance.detectors.framing import in_customer_turn, in_prohibition_frame
from tools.compliance.detectors.rate_numbers import find_annual_rates
from tools.compliance.normalize import normalize
from tools.compliance.product_type import infer_product_type, is_education_frame

WEALTH_FOOTER = "理财非存款、产品有风险、投资须谨慎。"


_rules = fired_rules


def test_an_faq_question_is_the_askers_voice_not_the_banks() -> None:
    question = "问：宣传页上写着业绩比较基准3.5%，是不是到期就能拿到这么多？\n答：不是，基准只是参考，不代表实际收益。"
    assert in_customer_turn(question, question.index("业绩"))
    assert "WM-02" not in _rules(question + WEALTH_FOOTER, "h5", "wealth")
    claim = "本期理财业绩比较基准3.5%，到期就能拿到这么多。"
    assert "WM-02" in _rules(claim + WEALTH_FOOTER, "h5", "wealth")


def test_a_list_of_banned_wording_under_a_prohibiting_heading_is_framed_out() -> None:
    guide = "客服话术红线，以下说法禁止对客户使用：\n1. “稳赚不赔”\n2. “零风险”\n3. “包赚”\n"
    start = guide.index("零风险")
    assert in_prohibition_frame(guide, start, start + 3)
    assert "FM-01" not in _rules(guide, "article", "wealth")
    promotion = "本周主推的三款理财：\n1. “稳赚不赔”的固收增强\n2. 每日开放的现金管理\n" + WEALTH_FOOTER
    assert "FM-01" in _rules(promotion, "article", "wealth")


def test_a_claim_reported_as_someone_elses_is_framed_out() -> None:
    warning = "如果有人跟您说这笔借款“零利息”，请先让对方写明年化利率。"
    start = warning.index("零利息")
    assert in_prohibition_frame(warning, start, start + 3)
    offer = "示例信用贷“零利息”借款，今天申请今天到账。"
    assert "LN-03" in _rules(offer, "wechat", "consumer_loan")


def test_a_bare_annualised_headline_figure_is_a_yield_display() -> None:
    assert "WM-02" in _rules("【首屏】年化3.50% 闲钱理财新选择\n" + WEALTH_FOOTER, "h5", "wealth")
    labelled = "现金管理类理财，七日年化2.10%（2026年11月20日），管理费年化0.20%。" + WEALTH_FOOTER
    assert "WM-02" not in _rules(labelled, "h5", "wealth")


def test_a_headline_figure_labelled_below_as_a_benchmark_needs_its_basis() -> None:
    bare = "【首屏大字】3.60%\n【大字下方】业绩比较基准（年化）\n" + WEALTH_FOOTER
    assert "WM-02" in _rules(bare, "h5", "wealth")
    # A past return set beside the benchmark of the same period is not the benchmark's headline (WM-03's matter).
    past = "该产品近一年年化收益率3.1%，同期业绩比较基准2.8%，过往业绩不代表未来表现。" + WEALTH_FOOTER
    result = check(past, "article", "wealth", bank_short_name="示例银行", on_date=DAY)
    quotes = [f.span.quote for f in result.findings if f.rule_id == "WM-02" and f.span is not None]
    assert quotes == ["业绩比较基准2.8%"]


def test_a_minimum_amount_with_a_filler_word_is_checked_against_the_sheet() -> None:
    wrong = "【示例银行】三年期大额存单年利率2.15%，5万元即可起存，详询400-000-0000。拒收请回复R"
    assert "FM-06" in _rules(wrong, "sms", "large_cd", product_id="LCD-001")
    right = wrong.replace("5万元即可起存", "20万元即可起存")
    assert "FM-06" not in _rules(right, "sms", "large_cd", product_id="LCD-001")


def test_an_official_endorsement_in_more_words_is_caught_unless_denied() -> None:
    assert "AD-02" in _rules("这款产品政府都帮忙做了担保，放心买。", "wechat", "wealth")
    assert "AD-02" not in _rules("请注意，政府不为任何理财产品做担保。", "wechat", "wealth")
    # Deposit insurance is a real state scheme; only how much it covers is at issue (DP-02).
    assert "AD-02" not in _rules("定期存款受存款保险保护，国家有存款保险兜着。", "wecom", "deposit")


def test_a_possible_loss_waved_away_is_a_return_promise() -> None:
    assert "FM-01" in _rules(
        "这款理财您就放着，亏损这种事根本不用您担心。" + WEALTH_FOOTER, "wecom", "wealth"
    )
    assert "FM-01" in _rules("买了就闭着眼睛拿着，到期再看。" + WEALTH_FOOTER, "wecom", "fund")
    assert "FM-01" not in _rules("请认真评估亏损风险，不要只看收益。" + WEALTH_FOOTER, "wecom", "wealth")


def test_borrowing_to_top_up_a_stock_position_is_inducement() -> None:
    text = "行情来了想加仓？示例信用贷借来补仓更从容，年化利率（单利）4.2%起。"
    assert "LN-04" in _rules(text, "push", "consumer_loan")
    assert "LN-04" not in _rules("贷款资金不得用于补仓、炒股等投资用途。", "push", "consumer_loan")


def test_unnamed_peer_banks_belittled_are_an_unfair_comparison() -> None:
    text = "那几家城商行的存单利息，还不够我们这期的零头。"
    assert "AD-05" in _rules(text, "wecom", "large_cd")
    assert "AD-05" not in _rules("各家银行存单利率不同，请以各行公告为准。", "wecom", "large_cd")


def test_a_service_ideal_with_a_superlative_is_exempt() -> None:
    assert "AD-01" not in _rules("我们一直追求做最周到的服务。", "wechat")
    assert "AD-01" in _rules("示例银行，全城最周到的服务。", "wechat")


def test_a_worked_example_in_consumer_advice_is_no_offer() -> None:
    advice = (
        "分期前先算清成本：以6期、每期费率0.8%为例，折算成年化利率约为14.5%。"
        "看分期成本请认准年化利率，量入为出，避免过度负债。"
    )
    assert is_education_frame(normalize(advice).text)
    assert infer_product_type(normalize(advice)) is None
    offer = "示例信用卡账单分期，每期费率0.8%，量入为出，避免过度负债。"
    assert not is_education_frame(normalize(offer).text)
    assert "LN-07" in _rules(offer, "h5")


# --- the held-out set 8 round --------------------------------------------------------------------------------


def test_a_regulator_said_to_have_vouched_for_a_product_is_a_false_endorsement() -> None:
    assert "AD-02" in _rules(
        "这只理财在监管那里登记过，等于监管部门给它背过书了。" + WEALTH_FOOTER, "wechat", "wealth"
    )


def test_anytime_withdrawal_with_interest_intact_contradicts_the_cd_sheet() -> None:
    slip = "三年期大额存单年利率2.15%，20万元起存，想什么时候取就什么时候取，取的时候利息一点不受影响。"
    assert "AD-03" in _rules(slip, "wecom", "large_cd", product_id="LCD-001")
    fair = "三年期大额存单年利率2.15%，20万元起存，提前支取部分按活期利率计息。"
    assert "AD-03" not in _rules(fair, "wecom", "large_cd", product_id="LCD-001")


def test_another_banks_subsidy_described_is_no_subsidy_offered() -> None:
    described = "有些银行的存款利息高，是靠贴息撑起来的。本行一年期定期年利率1.10%。"
    assert "DP-01" not in _rules(described, "wecom", "deposit")
    offered = "本行一年期定期年利率1.10%，另有贴息，到期一起给您。"
    assert "DP-01" in _rules(offered, "wecom", "deposit")
    assert "AD-05" in _rules("那家网上小银行的存款说不准哪天就出问题。", "wecom", "deposit")


def test_a_gold_return_without_risk_wording_needs_one_even_untyped() -> None:
    assert "FM-02" in _rules("积存金今年以来已经上涨18%，1克起存。", "push")
    assert "FM-02" not in _rules("积存金今年以来已经上涨18%，1克起存。金价有波动，投资须谨慎。", "push")
    # An untyped text about no investment good is out of scope (an app coupon is no return).
    assert "FM-02" not in _rules("登录手机银行签到，可领取5元话费券。", "push")


def test_a_quota_running_out_and_hesitation_punished_are_hurry() -> None:
    assert "FM-03" in _rules("本期额度眼看就要见底了，犹豫一下就轮不到了。", "wecom", "large_cd")
    assert "FM-03" not in _rules("本期额度以发售公告为准，售完为止前请合理安排资金。", "wecom", "large_cd")


def test_ranked_ahead_of_peers_without_a_source_is_unsupported_praise() -> None:
    assert "WM-06" in _rules("这位经理管的产品在同类里一直排在前头。", "wecom", "fund")
    sourced = "该基金近一年在同类产品中排名靠前（数据来源：某评价机构，截至2026年9月30日）。"
    assert "WM-06" not in _rules(sourced, "wecom", "fund")


def test_borrowed_money_moved_into_investments_and_buy_now_repay_later_are_inducement() -> None:
    assert "LN-04" in _rules("先把额度借出来，再放进理财赚差价。", "wechat", "consumer_loan")
    assert "LN-04" in _rules("新电脑先拿下，等工资到了再慢慢还。", "push", "credit_card")
    assert "FM-01" in _rules("借来的钱买理财，差价稳稳到手。", "wechat", "consumer_loan")
    assert "FM-01" not in _rules("资管新规打破刚性兑付，理财不再保本。" + WEALTH_FOOTER, "article", "wealth")


def test_an_audience_description_naming_students_is_a_student_selection() -> None:
    meta = {"audience": {"tag": "city_tier", "op": "eq", "value": "一线"}}
    assert "LN-05" in _rules("圈选：一线城市在校大学生，推消费贷。", "audience", "consumer_loan", **meta)
    assert "LN-05" not in _rules("圈选：一线城市客户，排除在校学生。", "audience", "consumer_loan", **meta)


def test_an_annual_rate_worked_out_from_a_daily_one_is_the_result() -> None:
    assert find_annual_rates("年化利率是0.05%×365≈18.25%") == [(18.25, 18.25)]
    assert find_annual_rates("年化利率3.6%-18%") == [(3.6, 18.0)]


def test_faqs_and_impersonation_warnings_are_education() -> None:
    faq = "问：理财受存款保险保护吗？\n答：不受，存款保险只保存款。"
    assert is_education_frame(normalize(faq).text)
    assert is_education_frame(normalize("谨防冒名来电：本行不会索要验证码。").text)
    assert not is_education_frame(normalize("问：利率多少？\n答：年化利率3.6%起，1万元起借。").text)


def test_a_fee_quoted_annualised_is_no_yield_and_no_past_performance() -> None:
    text = (
        "业绩比较基准为年化2.6%–3.2%，测算依据：参考同类资产的历史表现，并扣除销售服务费（年化0.30%）后测算。"
        + WEALTH_FOOTER
    )
    assert not {"WM-02", "WM-03"} & _rules(text, "wechat", "wealth")
    fee_list = "【费用】\n销售服务费：年化0.30%\n托管费：年化0.02%\n" + WEALTH_FOOTER
    assert "WM-02" not in _rules(fee_list, "h5", "wealth")


# --- the held-out set 9 round --------------------------------------------------------------------------------


def test_a_dialler_note_before_the_opening_is_not_the_opening() -> None:
    note = "【外呼策略】未接通时隔天重拨，每天最多1次。\n【开场】机器人：您好，这里是示例银行，我是AI语音助理，本次通话会被录音。"
    assert "CALL-02" not in _rules(note, "call_script", "deposit")
    anonymous = "【开场】机器人：您好，我是AI语音助理，本次通话会被录音，想介绍一款存款。"
    assert "CALL-02" in _rules(anonymous, "call_script", "deposit")


def test_a_negation_covers_the_items_of_an_enumeration() -> None:
    text = "示例e贷年化利率（单利）3.6%起。贷款资金请勿用于借钱炒股、以贷养贷。"
    assert "LN-04" not in _rules(text, "article", "consumer_loan")
    assert "LN-04" in _rules(
        "示例e贷年化利率（单利）3.6%起，手头紧也能以贷养贷。", "article", "consumer_loan"
    )


def test_an_apr_only_in_the_small_print_is_less_prominent_than_a_daily_cost() -> None:
    page = (
        "【首屏大字】借1万元，一天利息不到1块钱\n【按钮】立即申请\n【页脚小字】贷款年化利率（单利）3.6%起。"
    )
    assert "LN-01" in _rules(page, "h5", "consumer_loan")
    prominent = "【首屏大字】年化利率（单利）3.6%起\n【副标题】借1万元，一天利息不到1块钱\n【按钮】立即申请"
    assert "LN-01" not in _rules(prominent, "h5", "consumer_loan")


def test_a_gift_card_counted_as_extra_interest_is_deposit_taking_by_gift() -> None:
    text = "存满20万元，额外送您一张200元的超市购物卡，算下来相当于每年多拿了一点利息。"
    assert "DP-01" in _rules(text, "wecom", "large_cd")


def test_deposit_insurance_read_per_account_misstates_the_limit() -> None:
    slip = "存款保险最高偿付限额为50万元，您每个账户都各有50万元保障，多开几个账户分开存就能全部保障到位。"
    assert "DP-02" in _rules(slip, "article", "deposit")
    fair = "存款保险最高偿付限额为50万元，同一存款人在同一家银行所有被保险存款账户的本金和利息合并计算。"
    assert "DP-02" not in _rules(fair, "article", "deposit")


def test_a_return_sure_to_cover_a_loans_interest_is_a_return_promise() -> None:
    text = "示例e贷年化利率（单利）3.6%起，拿去买理财，收益基本就能把贷款利息盖住。"
    assert {"FM-01", "LN-04"} <= _rules(text, "wecom", "consumer_loan")


def test_a_headline_ranking_with_its_dated_source_below_is_exempt() -> None:
    sourced = (
        "喜报｜示例银行手机银行满意度位列全省第一\n根据示例省银行业协会2026年8月发布的《2026年上半年手机银行"
        "服务评价报告》，示例银行手机银行满意度排名第一（统计期：2026年1月1日至6月30日）。"
    )
    assert "AD-01" not in _rules(sourced, "article")
    assert "AD-01" in _rules("喜报｜示例银行手机银行满意度位列全省第一", "article")


# --- the held-out set 10 round -------------------------------------------------------------------------------


def test_approval_despite_bad_credit_contradicts_a_sheet_that_requires_good_credit() -> None:
    text = "示例e贷年化利率（单利）3.6%起，征信有点花也照样能批。"
    assert {"LN-06", "AD-03"} <= _rules(text, "push", "consumer_loan", product_id="CL-001")
    assert "AD-03" not in _rules(text, "push", "consumer_loan")  # no sheet, no fact to contradict


def test_a_personal_guarantee_of_approval_is_an_approval_promise() -> None:
    text = "经营快贷年化利率（单利）3.45%起，资料今天给我，后天就能批下来，我给您打包票。"
    assert "LN-06" in _rules(text, "wecom", "business_loan")


def test_a_forecast_a_clause_from_its_figure_is_a_yield_forecast() -> None:
    assert "WM-02" in _rules("我估计持有满一年，年化能跑到3%左右。" + WEALTH_FOOTER, "wecom", "wealth")


def test_a_cushion_claimed_for_a_risky_portfolio_does_not_fit_its_risk() -> None:
    text = "债券仓位给组合垫上一层安全垫，股市回调时整体也有保障。" + WEALTH_FOOTER
    assert "WM-06" in _rules(text, "article", "wealth")


def test_social_proof_and_an_experts_fit_are_endorsements() -> None:
    proof = "做会计的王女士定投两年，办公室好几个同事看了都跟着她投了。基金有风险，投资须谨慎。"
    assert "AD-06" in _rules(proof, "wechat", "fund")
    expert = "某大学金融学教授表示，这只基金非常适合工薪族长期定投。基金有风险，投资须谨慎。"
    assert "AD-06" in _rules(expert, "wechat", "fund")


def test_a_gain_sure_to_beat_the_interest_and_a_suggestion_to_borrow_for_stocks() -> None:
    text = "额度放着也是放着，不如先借出来投点到股市里，赚的肯定比利息多。e贷年化利率（单利）3.6%起。"
    assert {"LN-04", "FM-01"} <= _rules(text, "wecom", "consumer_loan")


def test_a_hospital_name_ranks_nothing() -> None:
    assert "AD-01" not in _rules("市第一人民医院旁的示例银行网点本周六照常营业。", "wechat")


def test_numbered_faq_questions_are_the_askers() -> None:
    faq = (
        "Q2：借的钱可以拿去买理财吗？\nA：不可以，贷款资金不得用于投资理财。\n"
        "Q3：在校学生可以申请吗？\nA：不可以，在校学生除外。\n示例e贷年化利率（单利）3.6%起。"
    )
    assert not {"LN-04", "LN-05"} & _rules(faq, "h5", "consumer_loan")


def test_a_quoted_question_asked_by_customers_is_no_promise() -> None:
    text = "常有人问：“有没有收益高一点、又绝对不会亏的产品？”坦白说，没有。" + WEALTH_FOOTER
    assert "FM-01" not in _rules(text, "article", "wealth")
    assert "FM-01" in _rules("这款产品收益高一点，又绝对不会亏。" + WEALTH_FOOTER, "article", "wealth")


def test_unquoted_items_under_a_forbidding_heading_are_listed_not_claimed() -> None:
    guide = "写给内容团队\n一、禁止使用的表述\n1. 把监管部门或政府当作背书的说法\n2. 没有出处的排名和最高级\n"
    assert not {"AD-01", "AD-02"} & _rules(guide, "article")
    menu = "一、本月主推\n1. 国家兜底的稳健理财\n" + WEALTH_FOOTER
    assert "AD-02" in _rules(menu, "article", "wealth")


# --- audience expressions the tag catalog cannot read ---------------------------------------------------------


def test_an_audience_expression_with_an_unknown_value_is_refused_with_the_reason() -> None:
    bad = {"audience": {"tag": "occupation", "op": "eq", "value": "student"}}
    with pytest.raises(ValueError, match="occupation has no value 'student'"):
        _rules("圈选：开学季新客", "audience", "consumer_loan", **bad)
    good = {"audience": {"tag": "occupation", "op": "eq", "value": "学生"}}
    assert "LN-05" in _rules("圈选：开学季新客", "audience", "consumer_loan", **good)


def test_a_sensitive_tag_is_reported_as_a_finding_not_refused() -> None:
    sensitive = {"audience": {"tag": "health_flag", "op": "eq", "value": True}}
    assert "PI-04" in _rules("圈选：近期就医客户", "audience", "insurance", **sensitive)


# --- the held-out set 11 round -------------------------------------------------------------------------------


def test_a_figure_about_another_product_of_the_bank_is_not_checked_against_this_sheet() -> None:
    text = "三年期大额存单年利率2.15%，20万元起存；本行1年期整存整取定期存款年利率1.10%，50元起存，两者各有所长。"
    assert "FM-06" not in _rules(text, "wechat", "large_cd", product_id="LCD-001")
    wrong = "三年期大额存单年利率2.15%，5万元起存。"
    assert "FM-06" in _rules(wrong, "wechat", "large_cd", product_id="LCD-001")


def test_a_partial_count_is_no_source() -> None:
    text = "据不完全统计，九成以上的客户都说我们的手机银行好用。"
    assert "AD-04" in _rules(text, "wechat")
    sourced = "据示例研究院2026年10月发布的报告统计，九成以上的受访客户使用过手机银行。"
    assert "AD-04" not in _rules(sourced, "wechat")


def test_a_trigger_quoted_as_a_bad_example_in_training_asks_for_no_disclosure() -> None:
    training = "内部培训讲义\n错误示范：“这位经理管的产品业绩一直名列前茅。”——没有客观依据，不允许使用。"
    assert "AD-04" not in _rules(training, "article")


def test_the_customers_own_word_quoted_back_is_not_the_banks_offer() -> None:
    reply = "关于您问的“免息”：按期全额还款可享免息还款期，分期按年化利率（单利）5.5%–17.0%计息。"
    assert "LN-03" not in _rules(reply, "wecom", "credit_card")


def test_a_style_guide_item_forbidding_wording_is_no_claim() -> None:
    item = "五、不得使用“和存款一样”“闭眼买”等暗示保本或混淆存款的表述。"
    assert "FM-01" not in _rules(item, "article", "wealth")


def test_more_return_promises_and_a_linked_product_sold_as_a_time_deposit() -> None:
    assert "FM-01" in _rules("到期本钱加利息一起回来，一分都不会少。" + WEALTH_FOOTER, "wecom", "wealth")
    assert "FM-01" in _rules("坚持定投三年，时间会把亏损都抹平。基金有风险，投资须谨慎。", "article", "fund")
    assert "FM-04" in _rules(
        "【示例银行】黄金挂钩91天定期存款上新，1万元起存。拒收请回复R", "sms", "structured_deposit"
    )
    assert "AD-02" in _rules("已登记备案，相当于有国家帮您把过关。" + WEALTH_FOOTER, "wechat", "wealth")
