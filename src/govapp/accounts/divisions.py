"""Provincial-level divisions: GB/T 2260 code, name, and the abbreviation used in filing numbers."""

from __future__ import annotations

from typing import NamedTuple


class Province(NamedTuple):
    code: str
    name: str
    abbr: str
    name_en: str


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", "京", "Beijing"),
    Province("12", "天津市", "津", "Tianjin"),
    Province("13", "河北省", "冀", "Hebei"),
    Province("14", "山西省", "晋", "Shanxi"),
    Province("15", "内蒙古自治区", "蒙", "Inner Mongolia"),
    Province("21", "辽宁省", "辽", "Liaoning"),
    Province("22", "吉林省", "吉", "Jilin"),
    Province("23", "黑龙江省", "黑", "Heilongjiang"),
    Province("31", "上海市", "沪", "Shanghai"),
    Province("32", "江苏省", "苏", "Jiangsu"),
    Province("33", "浙江省", "浙", "Zhejiang"),
    Province("34", "安徽省", "皖", "Anhui"),
    Province("35", "福建省", "闽", "Fujian"),
    Province("36", "江西省", "赣", "Jiangxi"),
    Province("37", "山东省", "鲁", "Shandong"),
    Province("41", "河南省", "豫", "Henan"),
    Province("42", "湖北省", "鄂", "Hubei"),
    Province("43", "湖南省", "湘", "Hunan"),
    Province("44", "广东省", "粤", "Guangdong"),
    Province("45", "广西壮族自治区", "桂", "Guangxi"),
    Province("46", "海南省", "琼", "Hainan"),
    Province("50", "重庆市", "渝", "Chongqing"),
    Province("51", "四川省", "川", "Sichuan"),
    Province("52", "贵州省", "黔", "Guizhou"),
    Province("53", "云南省", "滇", "Yunnan"),
    Province("54", "西藏自治区", "藏", "Tibet"),
    Province("61", "陕西省", "陕", "Shaanxi"),
    Province("62", "甘肃省", "甘", "Gansu"),
    Province("63", "青海省", "青", "Qinghai"),
    Province("64", "宁夏回族自治区", "宁", "Ningxia"),
    Province("65", "新疆维吾尔自治区", "新", "Xinjiang"),
    Province("66", "新疆生产建设兵团", "兵", "Xinjiang Production and Construction Corps"),
)

BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
PROVINCE_CHOICES: list[tuple[str, str]] = [(p.code, p.name) for p in PROVINCES]
CENTRAL_ABBR = "国"


def province_abbr(code: str | None) -> str:
    """The filing-number prefix of a province; 国 for central ministries (no province)."""
    if not code:
        return CENTRAL_ABBR
    return BY_CODE[code].abbr
