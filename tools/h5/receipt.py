"""The small page a visitor gets after sending the lead form: thanks, or what to correct.

Self-contained like the landing page (inline CSS, nothing external, no scripts); every text is escaped.
"""

from __future__ import annotations

from html import escape

# Reasons a submission is refused (tools.campaign_api.h5_lead_form codes) in the visitor's words.
REFUSAL_TEXT: dict[str, str] = {
    "consent_required": "请勾选标注“必选”的授权项后再提交。",
    "invalid_mobile": "请填写正确的11位手机号码。",
    "missing_field": "请填写所有必填项后再提交。",
    "field_too_long": "填写的内容过长，请精简后再提交。",
    "invalid_characters": "填写的内容含有无法识别的字符，请修改后再提交。",
    "rate_limited": "提交过于频繁，请稍后再试。",
    "not_published": "该活动页面已下线，暂不接受提交。",
}
GENERIC_REFUSAL = "提交的信息有误，请返回页面检查后重新提交。"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'">
<title>{title}</title>
<style>
body{{margin:0;padding:32px 20px;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1d2733;background:#f4f6f9}}
main{{max-width:480px;margin:0 auto;padding:24px 20px;background:#fff;border-radius:12px}}
h1{{margin:0 0 12px;font-size:22px}}p{{margin:0 0 16px;font-size:16px;line-height:1.6}}
a{{color:#0a468c;font-size:16px}}
</style>
</head>
<body><main>
<h1>{title}</h1>
<p>{message}</p>
<a href="{back_href}">返回活动页面</a>
</main></body>
</html>
"""


def render_notice(*, title: str, message: str, back_href: str) -> str:
    """A one-message HTML page with a link back to the landing page."""
    return _PAGE.format(title=escape(title), message=escape(message), back_href=escape(back_href, quote=True))


def render_thanks(*, after_submit: str, back_href: str) -> str:
    """The thank-you page; ``after_submit`` is the page's own note on who will call and from which number."""
    return render_notice(title="提交成功", message=f"感谢您的关注。{after_submit}", back_href=back_href)


def render_refusal(code: str, *, back_href: str) -> str:
    """The page for a refused submission, in plain words for the ``code`` given."""
    return render_notice(
        title="未能提交", message=REFUSAL_TEXT.get(code, GENERIC_REFUSAL), back_href=back_href
    )
