"""Fixed page wording of the offline H5 builder, per product family: wording only, never a product figure.

Figures come from the product sheet in ``builder.py``; what is here is the bank's own phrasing of steps,
button conditions and consent purposes, kept apart so copy changes do not touch the assembly logic.
"""

from __future__ import annotations

from typing import Literal

from core.domain import CREDIT_PRODUCT_TYPES, INVESTMENT_PRODUCT_TYPES

Family = Literal["credit", "investment", "deposit"]

AI_LABEL_TEXT = "本页内容由AI辅助生成，经人工审核后发布"
CTA = "预约咨询"
# The button of each A/B angle's page (at most 8 characters): the same consultation, asked for differently.
ANGLE_CTAS: dict[str, str] = {"benefit": CTA, "convenience": "了解办理方式", "reassurance": "先了解再决定"}
SUBMIT = "提交咨询"
FORM_HEADING = "预约客户经理咨询"
NO_REWARDS = "本活动为产品咨询活动，不另设奖品或其他奖励"
ANTI_FRAUD = "请通过本行官方渠道办理业务，谨防诈骗"

OBJECTIVE_LABELS: dict[str, str] = {
    "acquisition": "线上咨询活动",
    "activation": "用信咨询活动",
    "cross_sell": "产品推介活动",
    "retention": "到期续作咨询活动",
    "reactivation": "客户回访活动",
    "education": "金融知识宣传活动",
}

CTA_NOTES: dict[Family, str] = {
    "credit": "额度及利率以审批结果为准",
    "investment": "办理前须完成风险承受能力评估",
    "deposit": "产品要素及办理条件详见下方说明",
}

STEPS: dict[Family, tuple[str, ...]] = {
    "credit": (
        "在本页填写称呼和手机号，勾选所需授权后提交",
        "客户经理通过本行客服热线{hotline}与您联系，说明产品要素",
        "在本行手机银行自主提交申请，额度及利率以审批结果为准",
    ),
    "investment": (
        "在本页填写称呼和手机号，勾选所需授权后提交",
        "完成或更新风险承受能力评估，确认产品风险等级与您相匹配",
        "阅读产品说明书及风险揭示书后，自主决定是否购买",
    ),
    "deposit": (
        "在本页填写称呼和手机号，勾选所需授权后提交",
        "客户经理通过本行客服热线{hotline}与您联系，说明产品要素",
        "通过本行手机银行或营业网点办理",
    ),
}

RISK_HEADINGS: dict[Family, str] = {"credit": "借款提示", "investment": "风险揭示", "deposit": "重要提示"}

# One box per purpose (internal H5 standard §表单与授权); processing and the callback the form exists for
# are required to send it, everything marketing is optional.
CONSENTS: tuple[tuple[str, str, bool], ...] = (
    ("data_processing", "我同意{bank}收集并使用上述称呼和手机号，用于处理本次咨询", True),
    ("callback_call", "我同意{bank}客户经理就本次咨询致电回访", True),
    ("marketing_call", "我同意接收{bank}的营销电话，可随时拒绝", False),
    ("marketing_sms", "我同意接收{bank}的营销短信，可随时退订", False),
    ("personalized", "我同意{bank}根据我的信息为我推荐产品，可随时关闭", False),
)

PRIVACY_NOTICE = (
    "{bank}仅为处理本次咨询使用您的信息，依法保存和保护，未经您同意不向第三方提供。"
    "您可致电{hotline}查询、更正、删除您的信息或撤回授权。"
)
AFTER_SUBMIT = "提交后，{bank}客户经理将在每日{hours}之间通过客服热线{hotline}与您联系。"
HOW_TO_JOIN = (
    "在本页填写称呼和手机号，勾选授权后提交咨询",
    "同一客户以手机号认定，活动期间多次提交的按一次咨询处理",
)
RULES_CLOSING = "未尽事宜按本行公布的相关章程及法律法规执行；规则调整将提前在本页面公告；如有疑问请致电本行客服热线{hotline}。"


def family_of(product_type: str) -> Family:
    """Which copy family a product type uses: credit, investment or deposit."""
    if product_type in CREDIT_PRODUCT_TYPES:
        return "credit"
    if product_type in INVESTMENT_PRODUCT_TYPES:
        return "investment"
    return "deposit"
