"""Rule behaviours added after held-out set 12: a client's paper gain told as a story, a loss someone will carry,
a stock position topped up from a credit line, other debts cleared with the loan, hospital visits read back to
the customer, a negation before a quoted label, and a survey named with its year, period and sample.

Each behaviour is tested both ways, with wording of our own, so a test fails if the rule stops firing or starts
firing on the look-alike."""

from __future__ import annotations

from tests.unit.compliance_checks import fired_rules
from tools.compliance.detectors.framing import quoted_modifier_start

FUND_FOOTER = (
    "本基金由示例基金管理有限公司管理，示例银行仅为代理销售机构，不承担投资、兑付和风险管理责任。"
    "基金有风险，投资须谨慎；过往业绩不代表未来表现。"
)
LOAN_TERMS = "示例e贷年化利率（单利）3.6%起，按日计息，以审批结果为准。"


def test_a_clients_gain_told_as_a_story_is_a_testimonial() -> None:
    story = "我服务的一位周女士，去年春天开始每周定投，行情回调时也坚持扣款，如今账户浮盈八千多。"
    assert "AD-06" in fired_rules(story + FUND_FOOTER, "wecom", "fund")
    # The same steady-plan advice with no one's gain to point at is no endorsement.
    advice = "定投讲究坚持，行情回调时也坚持扣款，摊低成本，但账户仍可能出现浮亏。"
    assert "AD-06" not in fired_rules(advice + FUND_FOOTER, "wecom", "fund")


def test_a_loss_someone_will_carry_is_a_guarantee() -> None:
    footer = "理财非存款、产品有风险、投资须谨慎。"
    promise = "这款理财是正规渠道发行的，万一出了问题上面也会兜住，您就放心吧。"
    assert "FM-01" in fired_rules(promise + footer, "wechat", "wealth")
    denial = "理财产品出了问题不会有任何机构兜住，请按自身风险承受能力购买。"
    assert "FM-01" not in fired_rules(denial + footer, "wechat", "wealth")


def test_topping_up_a_stock_position_from_the_credit_line_is_borrowing_to_invest() -> None:
    top_up = LOAN_TERMS + "最近股票跌了不少，想补点仓的话，可以从额度里先支一笔，涨回来再还。"
    assert "LN-04" in fired_rules(top_up, "wecom", "consumer_loan")
    spending = LOAN_TERMS + "家里想添置家电的话，可以从额度里先支一笔，按月分期还款。"
    assert "LN-04" not in fired_rules(spending, "wecom", "consumer_loan")


def test_clearing_other_debts_with_the_loan_is_borrowing_to_repay() -> None:
    rollover = LOAN_TERMS + "其他网贷还有没还完的，也可以拿这笔钱还清，以后只还我们一家。"
    assert "LN-04" in fired_rules(rollover, "call_script", "consumer_loan")
    rule = LOAN_TERMS + "贷款资金不得用于偿还其他网贷，请按实际消费需要申请。"
    assert "LN-04" not in fired_rules(rule, "call_script", "consumer_loan")


def test_hospital_visits_the_bank_saw_are_sensitive_profiling() -> None:
    nosy = "张叔叔您好，看您这几个月常去人民医院，给您推荐一款医疗险。"
    assert "PI-03" in fired_rules(nosy, "wecom", "insurance")
    general = "张叔叔您好，在医院看病时可以用我行信用卡分期缴费，详情咨询网点。"
    assert "PI-03" not in fired_rules(general, "wecom")


def test_a_negation_before_a_quoted_label_covers_the_word_it_labels() -> None:
    text = "请勿“先用再说”式提前消费。"
    assert quoted_modifier_start(text, text.index("提前消费")) == text.index("“")
    # An unquoted phrase or a quote far from the hit is not a label.
    assert quoted_modifier_start("请勿先用再说式提前消费。", 7) is None
    caution = (
        "【示例银行】示例e贷年化利率（单利）3.6%–18.0%。借款须量入为出，切勿“先用再说”式提前消费。拒收请回复R"
    )
    assert "LN-04" not in fired_rules(caution, "sms", "consumer_loan", send_at="2026-12-04T10:00:00")
    push = "【示例银行】示例e贷年化利率（单利）3.6%–18.0%。“先用再说”式提前消费，生活更从容！拒收请回复R"
    assert "LN-04" in fired_rules(push, "sms", "consumer_loan", send_at="2026-12-04T10:00:00")


def test_a_survey_named_with_its_year_period_and_sample_has_a_source() -> None:
    deposit = "本产品为存款产品，依照《存款保险条例》受到保护。"
    sourced = (
        "据示例银行2026年上半年网点服务问卷（调查时间为2026年3月至5月，有效样本4,210份），"
        "九成以上的受访客户对取号等候时间表示满意。"
    )
    assert "AD-04" not in fired_rules(sourced + deposit, "wechat", "deposit")
    unsourced = "调研显示，九成以上的受访客户对取号等候时间表示满意。"
    assert "AD-04" in fired_rules(unsourced + deposit, "wechat", "deposit")


def test_lettered_options_under_a_quiz_question_are_choices_not_claims() -> None:
    quiz = "小测验：关于理财，以下说法错误的是？\nA. 理财产品保证收益\nB. 理财非存款、产品有风险、投资须谨慎\n答案：A"
    assert "FM-01" not in fired_rules(quiz, "h5", "wealth")
    # Lettered items under an ordinary heading stay claims.
    menu = "本月三款理财任您选：\nA. 保证收益的稳享款\nB. 每日开放款\n理财非存款、产品有风险、投资须谨慎。"
    assert "FM-01" in fired_rules(menu, "h5", "wealth")


def test_scams_listed_under_a_do_not_take_heading_are_framed_out() -> None:
    guide = "三、这些“好意”千万别信\n· “内部渠道包过”：先收包装费再消失；\n· “代办提额”：骗取卡片信息。"
    assert "LN-06" not in fired_rules(guide, "wechat", "credit_card")
    offer = "三、年底办卡福利\n· “内部渠道包过”：资料齐全当天出结果。"
    assert "LN-06" in fired_rules(offer, "wechat", "credit_card")


def test_a_deposit_named_as_one_part_of_a_combination_is_no_likening() -> None:
    footer = "结构性存款不同于一般性存款，具有投资风险，您应当充分认识投资风险，谨慎投资。"
    parts = "简单说，它就是“存款+期权”的组合：存款部分保障本金，期权部分决定收益档位。"
    assert "FM-04" not in fired_rules(parts + footer, "article", "structured_deposit")
    likening = "简单说，它就是存款，只是利息按档位给。"
    assert "FM-04" in fired_rules(likening + footer, "article", "structured_deposit")


def test_a_fact_sheet_label_line_names_the_fund_manager() -> None:
    disclaimer = "示例银行仅作为代理销售机构，不承担产品的投资、兑付和风险管理责任。基金有风险，投资须谨慎。"
    labelled = "· 基金管理人：示例基金管理有限公司\n· 风险等级：R3\n" + disclaimer
    assert "WM-05" not in fired_rules(labelled, "article", "fund")
    unnamed = "· 风险等级：R3\n" + disclaimer
    assert "WM-05" in fired_rules(unnamed, "article", "fund")


def test_a_spelled_out_instalment_rate_range_shows_its_maximum() -> None:
    spoken = "机器人：账单分期按年化利率计息，年化利率区间为百分之六到百分之十五点五，不另收手续费。"
    assert "LN-07" not in fired_rules(spoken, "call_script", "credit_card")
    no_maximum = "机器人：账单分期按年化利率计息，年化利率低至百分之六，不另收手续费。"
    assert "LN-07" in fired_rules(no_maximum, "call_script", "credit_card")


def test_a_headline_daily_rate_needs_the_apr_in_the_headline_too() -> None:
    body = "\n产品说明：贷款年化利率（单利）3.6%–18.0%，以审批结果为准，除利息外无其他费用。"
    buried = "【主标题】示例e贷 日利率低至0.01%\n【副标题】线上申请，随借随还" + body
    assert "LN-01" in fired_rules(buried, "h5", "consumer_loan")
    level = "【主标题】示例e贷 年化利率（单利）3.6%起，日利率低至0.01%\n【副标题】线上申请，随借随还" + body
    assert "LN-01" not in fired_rules(level, "h5", "consumer_loan")


def test_a_refusal_branch_that_turns_back_to_the_pitch_keeps_marketing() -> None:
    opening = "机器人：您好，这里是示例银行，我是AI智能语音助理，本次通话会被录音。\n"
    repitch = (
        opening + "【拒绝】客户说不需要\n机器人：明白。不过这款存款起存只要50元，您要不要再考虑一下？\n"
        "客户再次拒绝 → 机器人：好的，已登记，今后不再致电打扰。"
    )
    assert "CALL-03" in fired_rules(repitch, "call_script", "deposit")
    clean = opening + "【拒绝】客户说不需要\n机器人：好的，已登记，今后不再致电打扰，再见。"
    assert "CALL-03" not in fired_rules(clean, "call_script", "deposit")


WEALTH_FOOTER = "本产品由示例理财有限责任公司发行与管理。理财非存款、产品有风险、投资须谨慎。"


def test_certainty_in_feel_good_words_is_a_promise() -> None:
    assert "FM-01" in fired_rules(
        "年底把闲钱放进来，明年收获稳稳的收益。" + WEALTH_FOOTER, "wechat", "wealth"
    )
    assert "FM-01" in fired_rules("持有满一年，到期就能拿到手。" + WEALTH_FOOTER, "wechat", "wealth")
    honest = "持有满一年后可赎回，到期实际收益以产品净值为准。" + WEALTH_FOOTER
    assert "FM-01" not in fired_rules(honest, "wechat", "wealth")


def test_history_offered_as_a_promise() -> None:
    history = "这款产品上市五年，分红一次都没断过，身边买过的人没听说谁赔过钱。" + WEALTH_FOOTER
    assert "FM-01" in fired_rules(history, "wecom", "wealth")
    factual = "这款产品上市五年，历史分红记录见说明书，过往分红不代表未来。" + WEALTH_FOOTER
    assert "FM-01" not in fired_rules(factual, "wecom", "wealth")


def test_a_take_home_figure_is_a_yield_display() -> None:
    push = "示例理财新品开放，持有满90天，到期稳拿2.8%。"
    assert "WM-02" in fired_rules(push + WEALTH_FOOTER, "push", "wealth")
    # Without any risk wording the take-home figure also needs FM-02's disclosure.
    assert "FM-02" in fired_rules(push, "push", "wealth")
    assert "FM-02" not in fired_rules(push + WEALTH_FOOTER, "push", "wealth")
    # A benchmark range in brackets after 区间 is labelled, so the bare-年化 reading does not apply.
    range_note = (
        "业绩比较基准区间（年化2.50%–3.00%）为管理人参考债券市场收益水平测算得出，不是预期收益率。"
        + WEALTH_FOOTER
    )
    assert "WM-02" not in fired_rules(range_note, "wechat", "wealth")


def test_a_script_title_is_no_ai_disclosure_and_a_human_title_exempts_the_script() -> None:
    body = "\n【开场】您好，这里是示例银行，我是客服小李，本次通话将被录音。\n【客户拒绝】好的，已登记，今后不再致电打扰。"
    bot = "话术名称：存款到期提醒（语音机器人外呼）" + body
    assert "CALL-04" in fired_rules(bot, "call_script", "deposit")
    human = "话术名称：存款到期提醒（人工坐席）" + body
    assert "CALL-04" not in fired_rules(human, "call_script", "deposit")
    spoken = "话术名称：存款到期提醒\n【开场】您好，我是示例银行的智能外呼机器人，本次通话将被录音。\n【客户拒绝】好的，不再打扰。"
    assert "CALL-04" not in fired_rules(spoken, "call_script", "deposit")


def test_a_pitch_after_no_on_the_same_branch_line_keeps_marketing() -> None:
    opening = "话术名称：大额存单邀约（人工坐席）\n【开场】您好，我是示例银行的客户经理，本次通话将被录音。\n"
    pushy = (
        opening
        + "【客户说“不感兴趣”】明白。不过您先别急着挂，我再花一分钟讲完利率。\n【客户再次拒绝】好的，已登记不再致电。"
    )
    assert "CALL-03" in fired_rules(pushy, "call_script", "large_cd")
    polite = opening + "【客户说“不感兴趣”】好的，明白。已为您登记，今后不再致电打扰，再见。"
    assert "CALL-03" not in fired_rules(polite, "call_script", "large_cd")


def test_deposit_insurance_per_account_with_the_limit_a_clause_later() -> None:
    wrong = "【示例银行】存款受存款保险保护，每个账户分别计算，各保50万元。拒收请回复R"
    assert "DP-02" in fired_rules(wrong, "sms", "deposit", send_at="2026-12-04T10:00:00")
    right = (
        "【示例银行】同一存款人在本行所有被保险存款账户的本金和利息合并计算，最高偿付限额50万元。拒收请回复R"
    )
    assert "DP-02" not in fired_rules(right, "sms", "deposit", send_at="2026-12-04T10:00:00")


def test_students_reached_as_borrowers_through_their_parents() -> None:
    terms = "贷款年化利率（单利）3.6%–18.0%，以审批结果为准。"
    via_parents = "开学了，家长可以让孩子用自己的手机银行申请示例e贷，从大一开始积累信用。" + terms
    assert "LN-05" in fired_rules(via_parents, "wechat", "consumer_loan")
    parents_own = "开学季，家长可申请示例e贷用于家庭装修等个人消费，在校学生除外。" + terms
    assert "LN-05" not in fired_rules(parents_own, "wechat", "consumer_loan")


def test_an_applicant_age_below_the_sheets_minimum_is_a_misleading_claim() -> None:
    terms = "贷款年化利率（单利）3.6%–18.0%，以审批结果为准。"
    young = "年满20周岁就可以在线申请示例e贷。" + terms
    assert "AD-03" in fired_rules(young, "wechat", "consumer_loan", product_id="CL-001")
    sheet_age = "年满22周岁即可在线申请示例e贷。" + terms
    assert "AD-03" not in fired_rules(sheet_age, "wechat", "consumer_loan", product_id="CL-001")


def test_a_loan_for_a_down_payment_or_drawn_for_funds_is_borrowing_to_invest() -> None:
    assert "LN-04" in fired_rules(
        LOAN_TERMS + "首付差的那几万，用e贷先把首付凑齐。", "article", "consumer_loan"
    )
    assert "LN-04" in fired_rules(LOAN_TERMS + "额度闲着，可以提一笔出来买基金。", "wecom", "consumer_loan")
    rule = LOAN_TERMS + "贷款不得用于支付购房首付，也不得用于购买基金理财。"
    assert "LN-04" not in fired_rules(rule, "article", "consumer_loan")


def test_an_id_number_in_its_own_groups_is_unmasked() -> None:
    grouped = "请核对：身份证号 110105 19491231 002X，如有误请联系客户经理。"
    assert "PI-01" in fired_rules(grouped, "wecom")
    masked = "请核对：身份证号 110***********002X，如有误请联系客户经理。"
    assert "PI-01" not in fired_rules(masked, "wecom")
    # Groups that fail the check digit are some other number.
    assert "PI-01" not in fired_rules("订单号 110105 19491231 0021。", "wecom")


def test_a_training_quiz_and_a_penalty_roundup_quote_punished_wording() -> None:
    quiz = (
        "合规小测验（员工培训使用）\n请判断以下表述是否合规：\n1. 朋友圈写“这款理财稳赚不赔”。\n"
        "答案：不合规。“稳赚不赔”暗示保本保收益，属于禁止的承诺性表述。"
    )
    assert "FM-01" not in fired_rules(quiz, "article")
    roundup = "近期罚单中被点名的表述：\n一是承诺收益。部分材料写“保本保息”，被认定为违反广告法。"
    assert not {"FM-01", "WM-06"} & fired_rules(roundup, "article")
    promo = "年终福利：这款理财稳赚不赔，保本保息！"
    assert "FM-01" in fired_rules(promo, "article")


def test_a_headline_question_debunked_as_a_misconception_is_no_claim() -> None:
    text = "标题：“买了就能稳赚？”——关于基金定投的两个误解\n" + FUND_FOOTER
    assert "FM-01" not in fired_rules(text, "wechat", "fund")
    boast = "标题：“买了就能稳赚？”——没错，就是这么简单！\n" + FUND_FOOTER
    assert "FM-01" in fired_rules(boast, "wechat", "fund")


def test_an_insurer_named_before_its_underwriting_verb() -> None:
    named = "这款年金是示例人寿保险股份有限公司承保的，示例银行仅作为代理销售机构，不承担保险责任。"
    assert "WM-05" not in fired_rules(named, "wecom", "insurance")
    unnamed = "这款年金由我们推荐，示例银行仅作为代理销售机构，不承担保险责任。"
    assert "WM-05" in fired_rules(unnamed, "wecom", "insurance")


def test_other_banks_said_to_hide_conditions_in_fine_print_is_disparagement() -> None:
    deposit = "本产品为存款产品，依照《存款保险条例》受到保护。"
    jab = "有的银行宣传页上利率写得很大，提前支取的条件却藏在小字里。" + deposit
    assert "AD-05" in fired_rules(jab, "wechat", "large_cd")
    own = "我行所有支取条件都写在产品说明书第一页。" + deposit
    assert "AD-05" not in fired_rules(own, "wechat", "large_cd")


def test_a_statement_quoted_to_be_judged_false_is_no_claim() -> None:
    quiz = "课后判断题\n1. “这只理财稳赚不赔。”\n答案：错。理财产品不保证收益。\n" + WEALTH_FOOTER
    assert "FM-01" not in fired_rules(quiz, "wechat", "wealth")
    refuted = "常见说法：“这只理财稳赚不赔。”——错。理财产品不保证收益。" + WEALTH_FOOTER
    assert "FM-01" not in fired_rules(refuted, "wechat", "wealth")
    endorsed = "客户都说：“这只理财稳赚不赔。”——没错！" + WEALTH_FOOTER
    assert "FM-01" in fired_rules(endorsed, "wechat", "wealth")


def test_quotes_a_text_declares_to_be_scam_wording_are_framed_out() -> None:
    phrasebook = (
        "下面引号里的话，都是骗子常用的话术。\n一、“稳赚”类\n骗子的说法五花八门。\n二、“零风险”类\n"
        "本行1年期整存整取年利率1.10%，以官网挂牌为准。"
    )
    assert "FM-01" not in fired_rules(phrasebook, "article")
    without_note = "一、“稳赚”类\n本行1年期整存整取年利率1.10%。\n二、“零风险”类"
    assert "FM-01" in fired_rules(without_note, "article")


def test_a_masked_chat_name_is_the_customer_and_their_figures_ask_for_nothing() -> None:
    chat = (
        "[09:12] 刘**：听朋友说这个理财去年年化有3.1%，是真的吗？\n"
        "[09:15] 王磊：我不能给您报收益数字，请以产品说明书为准。" + WEALTH_FOOTER
    )
    assert "WM-03" not in fired_rules(chat, "wecom", "wealth")
    staff = "[09:15] 王磊：这个理财去年年化有3.1%，您可以放心买。" + WEALTH_FOOTER
    assert "WM-03" in fired_rules(staff, "wecom", "wealth")


def test_the_opening_is_read_from_the_labelled_opening_node() -> None:
    header = (
        "外呼话术稿：大额存单发行告知（AI语音机器人）\n脚本ID：VB-1  版本：2\n外呼策略：工作日9:00-20:00\n"
    )
    named = (
        header
        + "【N01 开场｜固定话术】\n“您好，这里是示例银行，我是AI语音助理，本次通话将被录音。”\n【拒绝】好的，不再致电打扰。"
    )
    assert "CALL-02" not in fired_rules(named, "call_script", "large_cd")
    nameless = (
        header
        + "【N01 开场｜固定话术】\n“您好，这里是财富中心，我是AI语音助理，本次通话将被录音。”\n【拒绝】好的，不再致电打扰。"
    )
    assert "CALL-02" in fired_rules(nameless, "call_script", "large_cd")


def test_a_staff_note_that_forbids_pitching_after_refusal_is_no_pitch() -> None:
    base = "【开场】您好，这里是示例银行，我是AI语音助理，本次通话将被录音。\n【拒绝】好的，已登记，不再致电打扰。\n"
    assert "CALL-03" not in fired_rules(
        base + "【合规备注】客户拒绝后不得继续营销。", "call_script", "deposit"
    )
    slipped = "【开场】您好，这里是示例银行，我是AI语音助理，本次通话将被录音。\n【拒绝】好的，不打扰您了。顺便跟您提一句，这款存款50元起存。已登记。"
    assert "CALL-03" in fired_rules(slipped, "call_script", "deposit")


def test_a_staff_note_mentioning_ai_is_no_disclosure_to_the_customer() -> None:
    script = (
        "【开场】您好，这里是示例银行，我是客服小周，本次通话将被录音。\n【拒绝】好的，已登记，不再致电打扰。\n"
        "【合规备注】本脚本由AI语音机器人播报。"
    )
    assert "CALL-04" in fired_rules(script, "call_script", "deposit")


def test_glossary_terms_and_fee_floors_are_not_absolute_claims() -> None:
    glossary = (
        "什么是“最大回撤”？它指一段时间内净值从最高点到最低点的跌幅。预借现金手续费低于最低标准时按10元收取。"
    )
    assert "AD-01" not in fired_rules(glossary, "h5")
    boast = "我们的服务全市最好。"
    assert "AD-01" in fired_rules(boast, "h5")


def test_what_instalments_do_weighed_against_their_cost_is_no_inducement() -> None:
    terms = "分期年化利率（单利）5.5%–17.0%，具体以页面为准。"
    weighed = "账单分期能把大额账单拆成几期慢慢还，但分期是有成本的。" + terms
    assert "LN-04" not in fired_rules(weighed, "article", "credit_card")
    pushed = "账单分期能把大额账单拆成几期慢慢还，轻松无压力。" + terms
    assert "LN-04" in fired_rules(pushed, "article", "credit_card")


def test_a_promise_in_english_or_cantonese_is_still_a_promise() -> None:
    assert "FM-01" in fired_rules(
        "Hi 张先生，这款理财 basically risk-free。" + WEALTH_FOOTER, "wecom", "wealth"
    )
    assert "FM-01" not in fired_rules(
        "Hi 张先生，这款理财 is not risk-free。" + WEALTH_FOOTER, "wecom", "wealth"
    )
    assert "FM-01" in fired_rules("陈生，呢只基金揸住两年都唔会蚀。" + FUND_FOOTER, "wecom", "fund")
    assert "FM-01" in fired_rules("持有满一年，也不会让您亏本。" + WEALTH_FOOTER, "article", "wealth")


def test_staff_who_vouch_for_a_fund_from_their_own_gains_are_testimonials() -> None:
    vouch = "我自己也定投这只基金两年了，赚了不少，推荐您试试。" + FUND_FOOTER
    assert "AD-06" in fired_rules(vouch, "wecom", "fund")
    plain = "这只基金支持定投，10元起投，适合长期投资。" + FUND_FOOTER
    assert "AD-06" not in fired_rules(plain, "wecom", "fund")


def test_insurance_premiums_sold_as_deposits_are_product_confusion() -> None:
    footer = "本产品由示例人寿保险股份有限公司承保，示例银行仅作为代理销售机构，不承担保险责任。"
    assert "FM-04" in fired_rules("【主标题】每年存2万，存满5年，养老有保障\n" + footer, "h5", "insurance")
    premium = "【主标题】年交保费2万元，交费期5年\n" + footer
    assert "FM-04" not in fired_rules(premium, "h5", "insurance")


def test_a_card_repaid_with_the_loan_is_borrowing_to_repay() -> None:
    assert "LN-04" in fired_rules(LOAN_TERMS + "可以先用e贷把信用卡还上。", "push", "consumer_loan")
    rule = LOAN_TERMS + "贷款资金不得用于偿还信用卡欠款。"
    assert "LN-04" not in fired_rules(rule, "push", "consumer_loan")


def test_a_node_label_neither_discloses_the_ai_nor_hides_a_claim_to_be_human() -> None:
    script = (
        "[开场·机器人] 您好，这里是示例银行，本次通话会被录音。\n"
        "[问答·转人工] 客户：转人工。机器人：我就是人工客服，您直接问吧。\n[拒绝] 好的，已登记，不再致电打扰。"
    )
    assert "CALL-04" in fired_rules(script, "call_script", "deposit")


def test_a_question_in_a_node_label_is_asked_not_claimed() -> None:
    footer = "结构性存款不同于一般性存款，具有投资风险，您应当充分认识投资风险，谨慎投资。"
    asked = "[问答·和定期存款一样吗] 不一样，收益率不固定。" + footer
    assert "FM-04" not in fired_rules(asked, "call_script", "structured_deposit")
    claimed = "[介绍] 这款产品和定期存款一样，收益固定。" + footer
    assert "FM-04" in fired_rules(claimed, "call_script", "structured_deposit")


def test_an_or_branch_without_a_risk_test_lets_every_level_in() -> None:
    def audience(*branches: dict[str, object]) -> dict[str, object]:
        return {"and": [{"tag": "marketing_consent", "op": "eq", "value": True}, {"or": list(branches)}]}

    tested = {"tag": "risk_level", "op": "gte", "value": "C3"}
    loose = audience(tested, {"tag": "has_fund", "op": "eq", "value": True})
    assert "FM-05" in fired_rules("基金定投推广", "audience", product_id="FD-001", audience=loose)
    strict = audience(tested, {"tag": "risk_level", "op": "gte", "value": "C4"})
    assert "FM-05" not in fired_rules("基金定投推广", "audience", product_id="FD-001", audience=strict)


def test_other_banks_rates_are_not_compared_with_this_products_sheet() -> None:
    insured = "大额存单属于存款，依照《存款保险条例》受到保护。"
    theirs = "同样是3年期，别家给的利率不到2%，我们这期年利率2.15%。" + insured
    assert "FM-06" not in fired_rules(theirs, "wecom", "large_cd", product_id="LCD-001")
    ours = "我们这期3年期大额存单年利率1.90%。" + insured
    assert "FM-06" in fired_rules(ours, "wecom", "large_cd", product_id="LCD-001")


def test_an_officials_praise_is_an_endorsement() -> None:
    praise = "在上周的座谈会上，分管金融的副市长专门提到了这款产品，称赞它稳健。" + WEALTH_FOOTER
    assert "AD-02" in fired_rules(praise, "article", "wealth")
    meeting = "在上周的座谈会上，副市长介绍了全市养老金融的工作安排。" + WEALTH_FOOTER
    assert "AD-02" not in fired_rules(meeting, "article", "wealth")


def test_the_customers_question_in_a_node_label_is_theirs_but_the_reply_is_the_banks() -> None:
    from tools.compliance.detectors.framing import in_customer_turn

    line = "【客户问：征信不好也能借吗？】不可以，征信良好是申请条件。"
    assert in_customer_turn(line, line.index("征信不好"), line.index("吗"))
    assert not in_customer_turn(line, line.index("不可以"))
    # A hit that runs from the label into the reply is not only the customer's words.
    assert not in_customer_turn(line, line.index("征信不好"), len(line) - 1)
    asked = LOAN_TERMS + "\n【客户问：征信不好也能借吗？】不能保证，征信记录良好是申请条件。"
    assert "AD-03" not in fired_rules(asked, "call_script", "consumer_loan", product_id="CL-001")


def test_a_bare_benchmark_after_a_colon_needs_its_rationale() -> None:
    bare = (
        "产品名称：恒信180天\n投资比例：固收类资产不低于80%\n业绩比较基准：年化2.60%–3.20%\n" + WEALTH_FOOTER
    )
    assert "WM-02" in fired_rules(bare, "article", "wealth")
    explained = bare + "业绩比较基准由管理人参考债券市场收益水平测算得出，不是预期收益率。"
    assert "WM-02" not in fired_rules(explained, "article", "wealth")


def test_a_class_of_products_named_in_a_service_notice_is_no_offer() -> None:
    from tools.compliance.product_type import infer_product_type

    notice = "您的风险测评将于月底到期，过期后暂时无法购买理财、基金等投资类产品。"
    assert infer_product_type(notice) is None
    assert infer_product_type("本周理财新品开放购买。") == "wealth"


def test_a_staff_qa_note_listing_forbidden_phrases_is_framed_out() -> None:
    note = (
        LOAN_TERMS + "\n【质检注记（内部，不播报）】\n1. 禁用表述：“秒批”“包下款”“先花后还”。出现即判不合格。"
    )
    assert not {"LN-06", "LN-04"} & fired_rules(note, "call_script", "consumer_loan")
    pitch = LOAN_TERMS + "\n【产品亮点】\n1. 秒批包下款，先花后还。"
    assert {"LN-06", "LN-04"} <= fired_rules(pitch, "call_script", "consumer_loan")


def test_an_official_risk_grade_is_no_inducement() -> None:
    footer = "结构性存款不同于一般性存款，具有投资风险，您应当充分认识投资风险，谨慎投资。"
    assert "FM-03" not in fired_rules(
        "风险等级：R1（低风险，本行评级）。" + footer, "wechat", "structured_deposit"
    )
    assert "FM-03" in fired_rules("低风险、收益稳，快来看看。" + footer, "wechat", "structured_deposit")


def test_a_rate_being_divided_or_converted_is_a_calculation_not_a_price() -> None:
    from tools.compliance.detectors.rate_numbers import find_periodic_rates

    # The annual rate being divided by 12 is not a 12% monthly rate.
    assert all(rate.annual_percent < 100 for rate in find_periodic_rates("月利率=12.0%÷12=1.0%"))
    assert [rate.quote for rate in find_periodic_rates("月利率12.0%")] == ["月利率12.0%"]
    terms = "贷款年化利率（单利）7.2%，以审批结果为准，年化综合融资成本7.2%。"
    table = terms + "\n| 日利率0.0493% | 0.0493%×365 | 约18.0% |"
    assert "LN-01" not in fired_rules(table, "article", "consumer_loan")
    contradicting = terms + "\n日利率低至0.0493%。"
    assert "LN-01" in fired_rules(contradicting, "article", "consumer_loan")


def test_a_retention_step_after_a_refusal_keeps_marketing() -> None:
    opening = "一、开场（逐字）\n坐席：您好，我是示例银行的客户经理，本次通话将被录音。\n"
    retain = (
        opening
        + "五、拒绝处理\nR1 挽留（限1次）：坐席：理解。那我再占用您半分钟，给您说说怎么领。\nR2 再次拒绝：已登记，不再致电。"
    )
    assert "CALL-03" in fired_rules(retain, "call_script", "insurance")
    plain = opening + "五、拒绝处理\n客户拒绝：不做挽留，已登记，不再致电打扰。"
    assert "CALL-03" not in fired_rules(plain, "call_script", "insurance")
    # The opening is read from the numbered opening node, after the script's header lines.
    assert "CALL-02" not in fired_rules("话术编号：BL-1  版本：3\n" + plain, "call_script", "insurance")
