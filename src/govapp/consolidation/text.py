"""Chinese text of app names and functions as index terms: jieba words, character bigrams as the
fallback for words jieba does not know, and a small table of the government-service synonyms that
units use for one function ("巡检" / "巡查", "随手拍" / "拍照上报")."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

_jieba_lock = threading.Lock()
_jieba_ready = False

# Words that say nothing about what an app does: every government app "provides services online".
STOPWORDS = frozenset(
    str.split(
        "的 了 和 与 及 等 或 在 为 对 由 向 是 可 将 并 其 该 本 各 以 于 从 个 之 中 上 下 用户 提供 支持 实现 "
        "进行 相关 功能 系统 平台 服务 移动 应用 小程序 app 政务 办理 信息 查询 在线 一站式 便民 掌上 智慧 数字 "
        "全省 全市 全县 市级 省级 县级 统一 综合 管理"
    )
)

# One canonical word for each group of words that name the same function (our own, by reading how
# units describe their apps in filings; extend as reviewers find new spellings).
SYNONYMS: dict[str, str] = {}
for _group in (
    "巡检 巡查 巡逻 巡防",
    "上报 报送 报告 填报",
    "随手拍 拍照上报 拍照 随拍",
    "打卡 签到 考勤",
    "积分 学分 得分",
    "排行 排名 排行榜 榜单",
    "学习 学习强国 学习教育 培训",
    "党建 党员 党务 组织生活",
    "网格 网格化 网格员",
    "预约 挂号 预订",
    "缴费 缴纳 支付 交费",
    "社保 社会保险 养老保险 医保 医疗保险",
    "公积金 住房公积金",
    "投诉 举报 建议 信访 诉求 12345",
    "健康 卫健 卫生健康",
    "政策 政策法规 法规",
    "办事 办件 事项 政务服务",
    "应急 防汛 防灾 减灾 安全生产",
    "疫情 防疫",
    "文旅 旅游 文化",
    "交通 出行 公交",
    "教育 学校 招生 入学",
    "不动产 房产 登记",
    "企业 营商 市场主体",
    "执法 城管 综合执法",
    "环保 生态环境 环境",
    "民政 养老 救助",
    "人社 就业 招聘 人才",
    "税务 纳税 个税",
    "农业 农村 乡村 涉农",
):
    _words = _group.split()
    for _word in _words:
        SYNONYMS[_word] = _words[0]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9._\-]*[a-z0-9]|[a-z0-9]")


def _jieba() -> Any:
    """jieba with its dictionary loaded once per process (about a second), quietly."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in SYNONYMS:
                    jieba.add_word(word)
                _jieba_ready = True
    return jieba


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """The meaningful words of ``text``, synonyms folded, stopwords dropped, in order."""
    text = normalise(text)
    found: list[str] = []
    for run in _CJK.findall(text):
        for word in _jieba().cut_for_search(run):
            if len(word) > 1 and word not in STOPWORDS:
                found.append(SYNONYMS.get(word, word))
    for token in _LATIN.findall(text):
        if token not in STOPWORDS and not token.isdigit():
            found.append(SYNONYMS.get(token, token))
    return found


def bigrams(text: str) -> list[str]:
    """Character bigrams of the Chinese runs: they still match where jieba splits an unknown name."""
    grams: list[str] = []
    for run in _CJK.findall(normalise(text)):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def terms(text: str) -> Counter[str]:
    """Index terms of a free text: words (``w:``) weigh more than the bigrams (``b:``) behind them."""
    counts: Counter[str] = Counter()
    for word in words(text):
        counts["w:" + word] += 2
    for gram in bigrams(text):
        if gram not in STOPWORDS:
            counts["b:" + gram] += 1
    return counts


def name_stem(name: str) -> str:
    """The part of an app name that says what it is, without the place and the generic suffix:
    "杭州市余杭区网格通APP" -> "网格通"."""
    text = normalise(name)
    text = re.sub(r"(app|小程序|客户端|移动端|平台|系统|公众号)$", "", text)
    while True:
        shorter = re.sub(r"^.{1,7}?(省|自治区|市|州|盟|区|县|旗|镇|乡|街道)+(?=.{2,})", "", text, count=1)
        if shorter == text:
            break
        text = shorter
    return text.strip() or normalise(name)


def tokens_of(values: Iterable[str], prefix: str) -> Counter[str]:
    """Exact-value terms (SDK ids, domains, routes, categories), one each."""
    return Counter({prefix + normalise(value): 1 for value in values if value})
