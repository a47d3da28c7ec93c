"""Which language a citizen writes in: Vietnamese (default), English, or something we cannot serve.

A cheap word-list vote is enough here: the answer texts exist only in Vietnamese and English, and a
wrong guess costs one reply in the other language, which the next message corrects.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from knowledge_base.normalize import has_vietnamese_diacritics, looks_english, strip_diacritics

VIETNAMESE = "vi"
ENGLISH = "en"
OTHER = "other"
SUPPORTED = (VIETNAMESE, ENGLISH)

# English words citizens use when asking about procedures (function words and domain nouns).
_ENGLISH_WORDS = frozenset("""
a an the is are am was be i me my you your we our it this that what which who whom how where when why
do does did can could would should will may must need needs want wants get got make apply applying
application register registration renew renewal replace replacement lost issue issued
of for to from with about please hello hi hey thanks thank bye goodbye yes not
much many long fee fees cost costs price pay document documents paper papers paperwork bring
office online website file submit steps step process procedure procedures days time take takes
passport birth certificate marriage married death residence resident permanent temporary driving
driver license licence id card identity citizen business company land house building permit car
motorbike vehicle insurance health social unemployment benefit child baby wife husband foreigner
copy copies criminal record human person staff agent bot robot real speak talk help
""".split())

# Common Vietnamese syllables without diacritics (how many citizens type) and chat abbreviations.
_VIETNAMESE_WORDS = frozenset("""
toi minh em anh chi bac ban oi a ah nhe nha nhi vay thi la gi sao nao hoi xin cho giup voi roi duoc
khong ko k kh dc dk dky ntn bn j cccd cmnd gplx hk ks bhyt bhxh ubnd dvc
phai lam muon biet nhu va hay hoac cua nay ma neu khi se da nhung cac mot nhieu bao lau phi tien
le het mat nop o dau giay tu to khai sinh ket hon ho chieu khau cuoc thuong tru tam dang ky cap doi
lai xe dat so do nha xay dung kinh doanh giay phep thu tuc hanh chinh can mang chung thuc ban sao
tre con vo chong me cha nguoi viec gio ngay thang nam online truc tuyen huong dan cam on chao tam biet
hai long rat lan binh thuong lich su tan tinh day du cong khai danh gia gop y huy tiep tuc nhung nhieu
""".split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def detect_language(text: Optional[str]) -> Optional[str]:
    """"vi", "en", "other" (a language we do not serve), or None when the text does not tell
    (a button payload, "ok", emoji…)."""
    if not text or text.startswith("/"):
        return None
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    latin = sum(1 for ch in letters if _is_latin(ch))
    if latin < len(letters) / 2:
        return OTHER  # Chinese, Cyrillic, Thai, Arabic…
    if has_vietnamese_diacritics("".join(letters)):
        return VIETNAMESE
    words = [strip_diacritics(w).lower() for w in _WORD.findall(text)]
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    vietnamese = sum(1 for w in words if w in _VIETNAMESE_WORDS)
    # the knowledge base's detector knows the vocabulary of its English glossary: a question it searches
    # as English gets English replies, unless most words are Vietnamese syllables ("hai long")
    if looks_english(text) and 2 * vietnamese < len(words):
        return ENGLISH
    if english > vietnamese:
        return ENGLISH
    if vietnamese:
        return VIETNAMESE
    if len(words) >= 4:  # a sentence in neither language (shorter: a typo or a name, not a language)
        return OTHER
    return None
