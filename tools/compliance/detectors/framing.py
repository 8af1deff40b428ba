"""Context windows around a hit: clause bounds, negation scope, quotation and warning frames.

A banned phrase is not always a claim. "本产品不保本" is a required disclosure, and "谨防“保本保息”骗局"
is an anti-fraud warning that quotes the phrase. These helpers let lexicon and regex detectors look at
the few characters around a hit, never across a clause boundary, to tell these cases apart.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from pydantic import Field

from tools.compliance.detectors.base import DetectorParams
from tools.compliance.product_type import is_education_frame

# Clause ends at commas and sentence punctuation; sentence ends only at sentence punctuation.
# Text is normalised, so full-width ，！？；： arrive here as , ! ? ; :. The enumeration comma 、 is
# not a break: in "不面向在校学生、未成年人" the negation covers every item of the list.
CLAUSE_BREAKS = frozenset(",，;；:。.!！?？\n")
SENTENCE_BREAKS = frozenset("。!！?？\n")
# Opening → closing quotation marks; the ASCII quotes open and close with the same character.
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", '"': '"', "'": "'"}

DEFAULT_NEGATORS: tuple[str, ...] = ("不", "非", "无", "未", "没有", "并非", "绝非", "勿")
# Words that start with a negator character but do not negate what follows (不仅保本 still promises it).
NEGATION_FALSE_FRIENDS: tuple[str, ...] = (
    "不仅",
    "不但",
    "不只",
    "不光",
    "不少",
    "不错",
    "不断",
    "非常",
    "无论",
    "无需",
    "无须",
    "无忧",
    "不用",
    "未来",
    # 不如先借出来… ("might as well"): a suggestion, not a negation.
    "不如",
)
DEFAULT_WARNING_CUES: tuple[str, ...] = (
    "谨防",
    "警惕",
    "提防",
    "防范",
    "骗局",
    "诈骗",
    "骗子",
    "陷阱",
    "切勿相信",
    "切勿轻信",
    "不要相信",
    "不要轻信",
    "勿信",
    "识破",
    "揭秘",
    "套路",
    "虚假宣传",
    "非法集资",
    "防骗",
    "冒用",
    "冒充",
    "假冒",
    "不法分子",
    "投资者教育",
    "投教",
    "这类说法",
    "此类说法",
    "类似说法",
    "这种说法",
    "这样的说法",
    "危险信号",
    "留个心眼",
    "多留心",
    "的坑",
)


def _break_positions(text: str, breaks: frozenset[str]) -> list[int]:
    """Every index of ``text`` whose character ends a clause (see ``_is_break``), in order.

    One vectorised table lookup over the code points finds the candidates (a Python step per comma of a
    2,000-character draft cost more than the lexicon scan); only points and colons, the two that can sit inside
    a number, are checked one by one.
    """
    table = _BREAK_TABLES.get(breaks)
    if table is None:
        table = _BREAK_TABLES[breaks] = np.zeros(_BMP_SIZE, dtype=np.bool_)
        table[[ord(char) for char in breaks]] = True
    codes = np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), _BMP_SIZE - 1)
    is_break = table[codes]
    if breaks & {".", ":"}:
        # A point or colon strictly inside the text with a digit on both sides is part of a number.
        points = np.flatnonzero((codes == _POINT) | (codes == _COLON))
        points = points[(points > 0) & (points < codes.size - 1)]
        is_break[points[_IS_DIGIT[codes[points - 1]] & _IS_DIGIT[codes[points + 1]]]] = False
    candidates = np.flatnonzero(is_break)
    positions: list[int] = candidates.tolist()
    return positions


# Break characters are all in the Basic Multilingual Plane; the table's last entry (U+FFFF, a non-character)
# stands for every code point above it and is never a break.
_BMP_SIZE = 0x10000
_BREAK_TABLES: dict[frozenset[str], npt.NDArray[np.bool_]] = {}
_POINT, _COLON = ord("."), ord(":")
# str.isdigit per BMP code point (it is true for ①, ², full-width digits…), so the vectorised test agrees
# with ``_is_break`` on every character.
_IS_DIGIT = np.array([chr(code).isdigit() for code in range(_BMP_SIZE)], dtype=np.bool_)


def _is_break(text: str, pos: int, breaks: frozenset[str]) -> bool:
    """Whether ``text[pos]`` ends a clause; a point or colon between digits (3.6%, 10:00) does not."""
    char = text[pos]
    if char not in breaks:
        return False
    if char in ".:" and 0 < pos < len(text) - 1:
        return not (text[pos - 1].isdigit() and text[pos + 1].isdigit())
    return True


class _TextIndex:
    """Per-text facts every hit's window needs, computed once per text instead of once per hit.

    A check runs dozens of detectors over the same normalised text, each asking for the clause or sentence
    around its hits; scanning the text once for every break and answering each question by bisection keeps
    the per-hit cost logarithmic rather than a ``find`` per break character per hit.
    """

    __slots__ = ("_breaks", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks: dict[frozenset[str], list[int]] = {}

    def breaks(self, breaks: frozenset[str]) -> list[int]:
        positions = self._breaks.get(breaks)
        if positions is None:
            positions = self._breaks[breaks] = _break_positions(self.text, breaks)
        return positions


# The last few texts' indexes, looked up by identity: detectors of one check share the same str object.
# A tuple swap is atomic under the GIL, so concurrent checks at worst recompute an index.
_RECENT: tuple[_TextIndex, ...] = ()
_RECENT_SIZE = 4


def _index(text: str) -> _TextIndex:
    global _RECENT
    for entry in _RECENT:
        if entry.text is text:
            return entry
    entry = _TextIndex(text)
    _RECENT = (entry, *_RECENT[: _RECENT_SIZE - 1])
    return entry


def education_frame(text: str) -> bool:
    """``is_education_frame`` for a normalised text; product_type remembers the answer for the last few texts, so
    inference and every detector of one check share one computation."""
    return is_education_frame(text)


def _bounds(text: str, start: int, end: int, breaks: frozenset[str], reach: int = 400) -> tuple[int, int]:
    """The stretch around [start, end) delimited by any of ``breaks``, at most ``reach`` chars each side.

    The reach cap keeps every window bounded even in a long text without punctuation.
    """
    positions = _index(text).breaks(breaks)
    floor = max(0, start - reach)
    ceiling = min(len(text), end + reach)
    before = bisect_left(positions, start) - 1
    left = positions[before] + 1 if before >= 0 and positions[before] >= floor else floor
    after = bisect_left(positions, end)
    right = positions[after] if after < len(positions) and positions[after] < ceiling else ceiling
    return left, right


def window_before(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, cut at the clause boundary."""
    left, _ = _bounds(text, start, start, CLAUSE_BREAKS, reach=width)
    return text[left:start]


def window_after(text: str, end: int, width: int) -> str:
    """Up to ``width`` characters from ``end``, cut at the clause boundary."""
    _, right = _bounds(text, end, end, CLAUSE_BREAKS, reach=width)
    return text[end:right]


def is_negated(
    text: str,
    start: int,
    width: int,
    negators: Iterable[str] = DEFAULT_NEGATORS,
    false_friends: Iterable[str] = NEGATION_FALSE_FRIENDS,
) -> bool:
    """True when a negator occurs within ``width`` characters before ``start`` in the same clause."""
    window = window_before(text, start, width)
    window_start = start - len(window)
    friends = tuple(false_friends)
    for negator in negators:
        pos = window.find(negator)
        while pos != -1:
            absolute = window_start + pos
            if not any(text.startswith(friend, absolute) for friend in friends):
                return True
            pos = window.find(negator, pos + 1)
    return False


# What may join a quoted modifier to the word it describes: “想买就买”式超前消费, “躺赚”型产品.
_MODIFIER_JOINERS = frozenset("式型的类")
_OPENING_OF = {closing: opening for opening, closing in QUOTE_PAIRS.items()}
# A quoted modifier longer than this is a quotation of its own, not a label on the next word.
_MAX_QUOTED_MODIFIER = 16


def quoted_modifier_start(text: str, start: int) -> int | None:
    """Where a quoted label right before the hit opens (不建议“想买就买”式超前消费 → the “), or None.

    A negation before such a label covers the word it labels, although the label pushes that word past the
    negation window.
    """
    position = start
    while position > 0 and start - position < 2 and text[position - 1] in _MODIFIER_JOINERS:
        position -= 1
    if position == 0 or (closing := text[position - 1]) not in _OPENING_OF:
        return None
    opening = _OPENING_OF[closing]
    floor = max(0, position - 2 - _MAX_QUOTED_MODIFIER)
    open_at = text.rfind(opening, floor, position - 1)
    if open_at == -1 or any(text[i] in CLAUSE_BREAKS for i in range(open_at + 1, position - 1)):
        return None
    return open_at


def is_quoted(text: str, start: int, end: int) -> bool:
    """True when [start, end) sits between an opening and a closing quotation mark in one sentence.

    Chinese puts a quoted sentence's own full stop inside the marks (“……和定期一样。”), so a closing mark
    right after the sentence break still closes the quotation.
    """
    left, right = _bounds(text, start, end, SENTENCE_BREAKS)
    before = text[left:start]
    after = text[end : right + 2] if right < len(text) else text[end:right]
    for opening, closing in QUOTE_PAIRS.items():
        open_at = before.rfind(opening)
        if open_at == -1:
            continue
        if opening == closing and before.count(opening) % 2 == 0:
            continue  # symmetric quotes: an even count before the hit means they closed already
        if opening != closing and before.rfind(closing) > open_at:
            continue
        if closing in after:
            return True
    return False


def in_warning_frame(text: str, start: int, end: int, cues: Iterable[str] = DEFAULT_WARNING_CUES) -> bool:
    """True when the hit is cited as something to beware of, not claimed.

    A quoted hit needs a warning cue anywhere in its sentence (谨防“保本保息”骗局); an unquoted hit needs the
    cue in its own clause (凡承诺保本保息的都是诈骗), so "谨防错过！保本保息" still counts as a claim.
    """
    cue_list = tuple(cues)
    if is_quoted(text, start, end):
        left, right = _bounds(text, start, end, SENTENCE_BREAKS)
    else:
        left, right = _bounds(text, start, end, CLAUSE_BREAKS)
    scope = text[left:start] + text[end:right]
    return any(cue in scope for cue in cue_list)


# Cues that a QUOTED phrase is listed as something not to say or not to believe: style guides in call scripts
# (不得使用“秒批”“必过”等话术), denials (本行不存在“内部渠道”的说法) and pretexts (以“加急办卡”为名收费的均非本行行为).
# They count only for quoted hits: unquoted, "不得" is as likely to be 不得不 as a prohibition.
PROHIBITION_CUES: tuple[str, ...] = (
    "不得",
    "禁止",
    "严禁",
    "不要",
    "切勿",
    "请勿",
    "不存在",
    "并无",
    "杜绝",
    "避免使用",
    "不使用",
    "为名",
    "的说法",
    "等说法",
    "等话术",
    "类话术",
    "等用语",
    "等字眼",
    "等表述",
    "等宣传",
    # Staff red-line lists: 对客沟通时不能出现的说法：不说“利率全市最高”.
    "不说",
    "不能出现",
    "不能说",
    "不准",
    "红线",
    # Anti-fraud and myth-busting copy: 所谓“贴息存款”, 自称“内部渠道”的一律不信, 误区一：“…和定期一样”.
    "所谓",
    "自称",
    "宣称",
    "声称",
    "号称",
    "诱饵",
    "可疑",
    "一律不信",
    "误区",
    "误解",
    "误会",
    # Staff configuration and QA notes (禁用表述：“秒批”“必过”…; 未使用“保本”“稳赚”等误导用语; 不播报).
    "禁用",
    "未使用",
    "不播报",
    "出现即判",
    # Staff quizzes and penalty round-ups: 以下表述摘自内部抽检中发现的典型问题…请判断是否合规; 被点名的表述.
    "典型问题",
    "是否合规",
    "不合规",
    "属于禁止",
    "被点名",
    "被认定为违反",
    "违反了",
    # Quiz options in investor education: 下列说法正确的是？A. 定投可以保证不亏损.
    "下列说法",
    "说法正确",
    "说法错误",
    # Scams listed to turn down (五、这些“帮忙”千万别接 / · “提额包过”：要求先交保证金…).
    "千万别接",
    "千万别信",
    "千万别碰",
    "别上当",
    # Never done (也从不委托任何中介“包办下款”).
    "从不",
    "从未",
    "一律不用",
    "不要说",
)
# Verbs that take the rest of their clause as a denied complement, however long: 这并不意味着它没有风险,
# 备案不代表产品保本. A negator right before the hit (negation_window) cannot reach that far.
DENIAL_LEADS: tuple[str, ...] = (
    "并不意味着",
    "不意味着",
    "并不代表",
    "不代表",
    "并不等于",
    "不等于",
    "并不是说",
    "不是说",
    # A promise denied outright, however far its object (不得向投资者承诺保本保收益).
    "不得承诺",
    "不会承诺",
    "不能承诺",
    "不承诺",
    "不得向",
    # A style guide's item: 不得使用“和存款一样”等暗示保本的表述.
    "不得使用",
    "不得出现",
    "禁止使用",
    "不要使用",
    # A claim quantified over everyone who makes it is a warning (任何宣称保本保收益的投资，都要高度警惕).
    "任何宣称",
    "凡是宣称",
    "凡宣称",
    "凡是承诺",
    "凡承诺",
    "任何承诺",
    # Nobody can promise it (没有人能承诺保本保收益): the promise denied for everyone.
    "没有人能承诺",
    "没人能承诺",
    "谁也不能承诺",
    "无法承诺",
    # What wording implies is discussed, not claimed (“闭眼入”暗示保本保收益): copy never says it 暗示s its promise.
    "暗示",
)
# A verdict passed on the thing named, later in the same sentence (打着…旗号的校园贷广告，多半是陷阱): the text
# names it to condemn it. Only unambiguous judgements count; 谨防 before a hit is the warning-cue check's job.
JUDGEMENTS_AFTER: tuple[str, ...] = (
    "是陷阱",
    "是骗局",
    "是诈骗",
    "是套路",
    "都是骗",
    "不可信",
    "千万别信",
    "不要相信",
    "不要轻信",
    "高度警惕",
    "要警惕",
    "需警惕",
    "留个心眼",
    "要当心",
    "要小心",
    # A need named to turn the reader away (如果您最看重本金安全…，这款产品就不适合您).
    "就不适合您",
    "并不适合您",
    "不适合您",
    # A consequence that condemns it (超前消费容易陷入债务困境).
    "容易陷入",
    "容易导致",
    "会让人陷入",
    # A training or penalty text's verdict (…暗示保本保收益，属于禁止的承诺性表述; …被认定为违反广告法).
    "属于禁止",
    "属于违规",
    "是违规",
    "违反了",
    "被认定为违反",
    "同样属于",
    "的暗示",
)
# A hit asked about rather than claimed: 这款产品保本吗？(the FAQ answer follows).
_QUESTION_PARTICLES = ("吗", "么", "嘛", "吧", "呢")


# Someone else's claim, quoted: 如果有人只跟您说“免息”, 有人说某款理财“和存款一样稳”. The bank reports it, not makes it.
# The customer's own words, quoted back in a reply (关于您问的“免息”, 关于您反映的“…说‘保本、稳赚’”).
_THIRD_PARTY_CLAIM = re.compile(
    r"有人[^,。;!?\n“”\"]{0,6}(说|讲|宣传|告诉|推荐|承诺|保证)|您(问|提到|咨询|反映|投诉|说)的"
)
# A list item: 1. / 1、 / (1) / 一、 / - / • at the start of a line.
_LIST_ITEM = re.compile(
    r"\s*(\d{1,2}\s*[.、)]|[(（]\s*[\d一二三四五六七八九十]{1,2}\s*[)）]|[一二三四五六七八九十]{1,2}\s*、|[-•·*▪]"
    r"|[A-Ha-h]\s*[.、)]|[一二三四五六七八九十]是)"
)
# A quiz question about statements (下列说法正确的是？): the lettered options under it are choices to judge, and the
# wrong ones are there to be rejected, so no option is the bank's claim.
_QUIZ_QUESTION = re.compile(r"(下列|以下|哪)[^\n]{0,10}(说法|表述|做法)[^\n]{0,12}[?？]")
_OPTION_ITEM = re.compile(r"\s*[A-Ha-h]\s*[.、)]")
# A section heading (一、禁止使用的表述) heads the numbered items under it (1. … 2. …): it is their lead-in.
_SECTION_HEADING = re.compile(r"\s*[一二三四五六七八九十]{1,2}\s*、")
# Lead-in cues strong enough to cover unquoted items too (一、禁止使用的表述 / 3. 把监管部门或政府当作背书…).
_STRONG_PROHIBITION_CUES = (
    "禁止",
    "不得",
    "严禁",
    "禁用",
    "红线",
    "不能使用",
    "不要使用",
    # A penalty round-up's list of what regulators named (被点名的表述大致有三类：\n一是承诺收益。).
    "被点名",
    "被处罚",
    "违规表述",
    "违规话术",
    "典型问题",
)
_LIST_LOOKBACK = 20  # list items between a hit and its lead-in line, at most


def _list_lead_in(text: str, start: int) -> str | None:
    """The line that introduces the list the hit's line belongs to, or None when that line is no list item.

    A style guide lists banned wording under one heading (以下说法一律不得出现：\n1. …“保本保息”…): the heading's
    cue governs every item, though each item is its own sentence.
    """
    line_start = text.rfind("\n", 0, start) + 1
    if not _LIST_ITEM.match(text, line_start) or _SECTION_HEADING.match(text, line_start):
        return None
    for _ in range(_LIST_LOOKBACK):
        if line_start == 0:
            return None
        previous_start = text.rfind("\n", 0, line_start - 1) + 1
        if _SECTION_HEADING.match(text, previous_start) or not _LIST_ITEM.match(text, previous_start):
            return text[previous_start : line_start - 1]
        line_start = previous_start
    return None


def in_prohibition_frame(text: str, start: int, end: int) -> bool:
    """True when a quoted hit is listed as wording not to use or not to believe, or as someone else's claim.

    The cue (PROHIBITION_CUES) is in the hit's sentence, or in the lead-in line of the list the hit is an item of.
    An unquoted hit counts only as an item under a heading that plainly forbids (一、禁止使用的表述).
    """
    if not is_quoted(text, start, end):
        lead_in = _list_lead_in(text, start)
        if lead_in is None:
            return False
        if _OPTION_ITEM.match(text, text.rfind("\n", 0, start) + 1) and _QUIZ_QUESTION.search(lead_in):
            return True
        return any(cue in lead_in for cue in _STRONG_PROHIBITION_CUES)
    left, right = _bounds(text, start, end, SENTENCE_BREAKS)
    scope = text[left:start] + text[end:right]
    if any(cue in scope for cue in PROHIBITION_CUES) or _THIRD_PARTY_CLAIM.search(text, left, start):
        return True
    lead_in = _list_lead_in(text, start)
    return lead_in is not None and any(cue in lead_in for cue in PROHIBITION_CUES + DEFAULT_WARNING_CUES)


class FramingParams(DetectorParams):
    """Parameters shared by detectors that must not fire on negated or warned-against mentions."""

    negation: bool = True
    negation_window: int = Field(default=4, ge=1, le=20)
    negators: list[str] = Field(default_factory=lambda: list(DEFAULT_NEGATORS), min_length=1)
    quote_frame: bool = True
    warning_cues: list[str] = Field(default_factory=lambda: list(DEFAULT_WARNING_CUES), min_length=1)


_INTERROGATIVES = ("多少", "是否", "什么", "怎么", "哪", "几")


def under_denial_lead(text: str, start: int) -> bool:
    """True when a DENIAL_LEADS verb opens the hit's clause before the hit (这并不意味着它没有风险)."""
    left, _ = _bounds(text, start, start, CLAUSE_BREAKS)
    before = text[left:start]
    return any(lead in before for lead in DENIAL_LEADS)


def judged_after(text: str, end: int) -> bool:
    """True when the hit's sentence goes on to condemn it (JUDGEMENTS_AFTER)."""
    _, right = _bounds(text, end, end, SENTENCE_BREAKS)
    after = text[end:right]
    return any(judgement in after for judgement in JUDGEMENTS_AFTER)


_LABEL_QUESTION = re.compile(r"[^\n\]】]{0,3}[吗么嘛][\]】]")


def is_question(text: str, end: int) -> bool:
    """True when the hit is what a question asks about (这款产品保本吗？ 利息最低能给多少？).

    The sentence must end with a question mark, with a question particle right after the hit or an
    interrogative word between the hit and the mark; "为什么我们收益最高？" asks why, not whether, and stays.
    """
    # A question in a node label ([问答·跟定期存款一样吗] 不一样。…) ends at the bracket, not at a question mark.
    if _LABEL_QUESTION.match(text, end) is not None:
        return True
    _, right = _bounds(text, end, end, SENTENCE_BREAKS)
    if right >= len(text) or text[right] not in "?？":
        return False
    if right - end > 8:
        return False
    between = text[end:right]
    if any(particle in between[:3] for particle in _QUESTION_PARTICLES):
        return True
    return any(word in between for word in _INTERROGATIVES)


def is_quoted_question(text: str, start: int, end: int) -> bool:
    """True for a question someone is quoted asking, the hit inside it (“有没有收益高一点、又绝对不会亏的产品？”).

    Unquoted, 有没有比这更低的利率？ is a rhetorical claim, so this needs the quotation marks.
    """
    if not is_quoted(text, start, end):
        return False
    left, right = _bounds(text, start, end, SENTENCE_BREAKS)
    if right >= len(text) or text[right] not in "?？":
        return False
    if any(word in text[left:start] for word in _QUOTED_QUESTION_WORDS):
        return True
    # A yes-no question by intonation alone (“到期就能拿3.2%？”——三个常见误解) is asked only to be answered no.
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end == -1 else line_end]
    return any(cue in line for cue in _DEBUNKING_CUES)


_QUOTED_QUESTION_WORDS = ("有没有", "能不能", "会不会", "是不是", "可不可以", "是否", "哪里有", "哪有")
_DEBUNKING_CUES = ("误解", "误区", "真相", "澄清", "辟谣", "说清楚", "答案是否定的")


def in_customer_turn(text: str, start: int, end: int | None = None) -> bool:
    """True when the hit is in a line the customer speaks (客户：到期能保证拿回本金吧？), an FAQ question asks, or
    a script's node label quotes the customer (【客户问：征信不好也能借吗？｜逐字播报】 — the reply after it is not)."""
    line_start = text.rfind("\n", 0, start) + 1
    if _CUSTOMER_LABEL.match(text, line_start) is not None:
        return True
    opening = max(text.rfind("【", line_start, start), text.rfind("[", line_start, start))
    if opening == -1 or not text.startswith(("客户", "顾客"), opening + 1):
        return False
    close_at = text.find("】" if text[opening] == "【" else "]", opening)
    if close_at == -1:
        return True
    # Before the hit the label has closed (the reply is the bank's); a hit running past it takes in the reply too
    # ([客户：不需要]理解您，不过…要不…).
    return close_at > start and (end is None or close_at >= end)


# An FAQ's question (问：产品页写着业绩比较基准3%，是不是到期一定能拿到3%？ Q2：借的钱可以拿去买理财吗？) is the
# customer's voice too.
# In a chat log the customer is the one whose name is masked ([10:25] 张**：…); staff sign with their own name.
_CUSTOMER_LABEL = re.compile(
    r"[ \t]*(?:\[\d{1,2}:\d{2}\][ \t]*)?(?:客户|顾客|问|[Qq]|[^\s:\[\]*]{1,3}\*+)[ \t]*\d{0,2}[ \t]*[:：]"
    # A chat line signed 客户 陈女士 14:18： or 孙女士 19:40： (staff sign with their own name, no honorific).
    r"|[ \t]*(?:客户[ \t]*)?[^\s:\d]{1,3}(?:女士|先生|阿姨|叔叔)(?:[（(][^)）\n]{0,8}[)）])?[ \t]*\d{1,2}:\d{2}[ \t]*[:：]"
)


_COORDINATORS = frozenset("、和与及或")


def coordinated(text: str, previous_end: int, start: int) -> bool:
    """Whether a hit follows the previous framed hit directly or across one coordinating character.

    Coordinated hits share their frame: in 不会承诺保本保收益 the negation covers 保收益 too, and in
    千万不要借钱炒股、以贷养贷 it covers 以贷养贷.
    """
    if previous_end < 0:
        return False
    gap = text[previous_end:start]
    return gap == "" or (len(gap) == 1 and gap in _COORDINATORS)


# A statement quoted to be judged and then judged false: 判断题1：“…能全额偿付60万元。”\n答案：错。 / “…就是定期存款。”——错。
_VERDICT_FALSE = re.compile(r"[\s—\-:：,，。]{0,4}(?:答案|答|解析|判断)?[\s:：]{0,2}(?:错|不对|不正确|×|✗)")
_QUOTE_CLOSERS = frozenset(QUOTE_PAIRS.values())


def refuted_quote(text: str, start: int, end: int) -> bool:
    """True for a quoted statement set as a true-or-false question (判断题) or judged false right after it."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if "判断" in text[max(0, line_start - 40) : line_end] and is_quoted(text, start, end):
        return True
    close = next((i for i in range(end, min(line_end, end + 80)) if text[i] in _QUOTE_CLOSERS), -1)
    if close == -1 or not is_quoted(text, start, end):
        return False
    return _VERDICT_FALSE.match(text, close + 1) is not None


# A text that says its quotations are scammers' or banned wording (下面引号中的话，都是骗子常用话术).
_QUOTES_DECLARED_BAD = re.compile(
    r"引号(?:中|里|内)的?(?:话|说法|内容|表述)[^。\n]{0,16}(?:骗子|诈骗|违规|错误|禁用|不能说|不要说|不得使用)"
)


def quotes_declared_bad(text: str, start: int, end: int) -> bool:
    """True for a quoted hit after the text has said that what it quotes is scam or banned wording."""
    if text.find("引号", 0, start) == -1:
        return False
    return _QUOTES_DECLARED_BAD.search(text, 0, start) is not None and is_quoted(text, start, end)


def is_framed_out(text: str, start: int, end: int, params: FramingParams) -> bool:
    """True when the hit [start, end) is negated or sits in a quotation/warning frame, per ``params``.

    A quoted hit is also framed out anywhere in an investor-education text that makes no offer (【投教课堂】…
    “到期稳赚”…): such a text quotes the phrases to warn against them, even where its sentence has no cue.
    """
    if params.negation and (
        is_negated(text, start, params.negation_window, params.negators)
        or under_denial_lead(text, start)
        or (
            (label_start := quoted_modifier_start(text, start)) is not None
            and is_negated(text, label_start, params.negation_window, params.negators)
        )
    ):
        return True
    if in_customer_turn(text, start, end):
        return True
    if not params.quote_frame:
        return False
    if in_warning_frame(text, start, end, params.warning_cues) or in_prohibition_frame(text, start, end):
        return True
    if is_question(text, end) or judged_after(text, end) or is_quoted_question(text, start, end):
        return True
    if refuted_quote(text, start, end) or quotes_declared_bad(text, start, end):
        return True
    return is_quoted(text, start, end) and education_frame(text)
