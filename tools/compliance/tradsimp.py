"""The traditional → simplified character table the normaliser applies (one character to one character).

Built from OpenCC's character dictionary (TSCharacters.txt, shipped offline in the pinned
``opencc-python-reimplemented`` wheel, Apache-2.0): every Basic-Multilingual-Plane character with exactly one
simplified form. Characters whose simplified form depends on the word (乾 → 干/乾, 著 → 着/著…) have several
candidates there and are left out, as is phrase-level conversion: one in, one out keeps the text's length, so
finding offsets still point into the original. The hand-written table below is the reviewed core for finance
and call-script vocabulary; it was the whole table before and still wins where the two differ.
"""

from __future__ import annotations

from importlib.resources import files

# Two aligned strings keep the table easy to review: _TRADITIONAL[i] becomes _SIMPLIFIED[i].
_TRADITIONAL = (
    "證險風穩賺賠貸無額銀財權資產億萬號絕對數據優費計謹須務審過頂級國獨專錢還單"
    "騙詐擔擇選門檻搶機會錯後價幣購買賣贏虧損發開辦勵獎禮現實際應該這個們為於與"
    "從來時間點長頭裡處經營業績結構託債齡學碼訊簡電話聯絡戶徵測試紀錄貼補領讓請"
    "訂簽剛兌極僅盡標準餘擁護讀違規誤導驗書廣網稱衛倉鎖憑佈劃斷嚴輕鬆緊壓減漲獲"
    "夠歲歷屆濟幫貨統總滿懸寬輸匯協議認體賬帳啟線熱類純續約參觀"
    # Call-script and AI-disclosure wording (語音, 這裡是…銀行, 來電介紹, 暫不需要, 不再致電打擾).
    "語暫將擾紹詢問題員動視頻聽說謝麼嗎識別撥係複製當鍵聲傳進適節記給論確訴醫壽預並則達質運習歡關閉屬隱顧掛轉閱區縣紅"
)
_SIMPLIFIED = (
    "证险风稳赚赔贷无额银财权资产亿万号绝对数据优费计谨须务审过顶级国独专钱还单"
    "骗诈担择选门槛抢机会错后价币购买卖赢亏损发开办励奖礼现实际应该这个们为于与"
    "从来时间点长头里处经营业绩结构托债龄学码讯简电话联络户征测试纪录贴补领让请"
    "订签刚兑极仅尽标准余拥护读违规误导验书广网称卫仓锁凭布划断严轻松紧压减涨获"
    "够岁历届济帮货统总满悬宽输汇协议认体账账启线热类纯续约参观"
    "语暂将扰绍询问题员动视频听说谢么吗识别拨系复制当键声传进适节记给论确诉医寿预并则达质运习欢关闭属隐顾挂转阅区县红"
)


def _build_table() -> dict[str, str]:
    """Zip the two strings, refusing a misaligned or duplicated table (a silent typo would mis-map text)."""
    if len(_TRADITIONAL) != len(_SIMPLIFIED):
        raise RuntimeError("traditional/simplified tables have different lengths")
    if len(set(_TRADITIONAL)) != len(_TRADITIONAL):
        raise RuntimeError("traditional table lists a character twice")
    return dict(zip(_TRADITIONAL, _SIMPLIFIED, strict=True))


def _opencc_table() -> dict[str, str]:
    """Single-candidate BMP entries of OpenCC's TSCharacters dictionary."""
    path = files("opencc").joinpath("dictionary/TSCharacters.txt")
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        candidates = targets.split()
        if len(source) == 1 and len(candidates) == 1 and len(candidates[0]) == 1:
            if ord(source) <= 0xFFFF and ord(candidates[0]) <= 0xFFFF and source != candidates[0]:
                table[source] = candidates[0]
    return table


TRAD_TO_SIMP: dict[str, str] = {**_opencc_table(), **_build_table()}
