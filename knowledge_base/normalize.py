"""Text normalisation shared by indexing and querying: NFC, case, abbreviations, diacritics folding.

Citizens type without diacritics, with abbreviations and typos; records are written properly.
Both sides go through `fold()` so "lam can cuoc" and "làm căn cước" meet on the same tokens.
"""
from __future__ import annotations

import functools
import re
import unicodedata

MAX_QUERY_CHARS = 2000

# Abbreviations citizens type, expanded before folding (keys are folded, lowercase).
ABBREVIATIONS: dict[str, str] = {
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân căn cước",
    "cmt": "chứng minh nhân dân căn cước",
    "gplx": "giấy phép lái xe",
    "blx": "bằng lái xe",
    "dkkd": "đăng ký kinh doanh",
    "gpkd": "giấy phép kinh doanh",
    "hkd": "hộ kinh doanh",
    "dn": "doanh nghiệp",
    "ubnd": "ủy ban nhân dân",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "bhtn": "bảo hiểm thất nghiệp",
    "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất",
    "sdd": "sổ đỏ",
    "llpt": "lý lịch tư pháp",
    "lltp": "lý lịch tư pháp",
    "gks": "giấy khai sinh",
    "hk": "hộ khẩu",
    "dvc": "dịch vụ công",
    "dvcqg": "cổng dịch vụ công quốc gia",
    "attp": "an toàn thực phẩm",
    "xnc": "xuất nhập cảnh",
    "hc": "hộ chiếu",
    "tthc": "thủ tục hành chính",
    "gpxd": "giấy phép xây dựng",
    "gp": "giấy phép",
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khong": "không",
    "dc": "được",
    "đc": "được",
    "j": "gì",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "dk": "đăng ký",
    "đk": "đăng ký",
    "dky": "đăng ký",
    "dki": "đăng ký",
    "đki": "đăng ký",
    "đky": "đăng ký",
    "ck": "chồng",
    "vk": "vợ",
    "mk": "mình",
    "vs": "với",
    "tphcm": "thành phố hồ chí minh",
    "hn": "hà nội",
}

# Conversational words that say nothing about which procedure is meant (folded forms). Folded
# syllables that are also content words (the = thẻ, do = đỏ, ban = bản, to = tờ, can = căn) stay out.
FILLERS = frozenset(
    "toi minh em anh bac oi a ah nhe nha nhi vay thi la gi sao nao hoi xin cho giup voi roi duoc "
    "khong phai lam muon ai biet nhu va hay hoac cua nay ma neu khi se da nhung cac mot nhieu "
    "please i my how does what is of for in we you "
    # aspect words: they say what is asked, not which procedure ("phí bao nhiêu", "mất bao lâu")
    "phi tien bao nhieu lau tuc".split()
)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits of any script
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]{0,200}>")
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")  # "1️⃣" is an emoji, not the number one


def clean(text: str) -> str:
    """NFKC (composed letters; fullwidth and compatibility forms to plain ones), no control
    characters or markup, single spaces. Never raises on str input."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", _TAG.sub(" ", _KEYCAP.sub(" ", text)))
    return " ".join(text.split())


def strip_diacritics(text: str) -> str:
    """'Đăng ký khai sinh' -> 'Dang ky khai sinh' (đ folds to d)."""
    if text.isascii():  # nothing to strip; most tokens of a search already are
        return text
    if len(text) <= _SHORT:
        return _stripped_word(text)
    return _stripped(text)


# a search folds each token several times (~230 calls a question): short texts are remembered
_SHORT = 40


def _stripped(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


_stripped_word = functools.lru_cache(maxsize=1 << 16)(_stripped)


def words(text: str) -> list[str]:
    """Lowercase word tokens with their diacritics kept."""
    return _TOKEN.findall(clean(text).lower())


# the i spelling of a final y typed without diacritics ("dang ki", "li lich", "qui dinh"): the records
# write y (folded "ky" in 8,647 passages, "ki" in 12). Typed with a tone ("kì", "lí") the accent key
# already makes them meet (accent_key); without one the folded form must.
UNACCENTED_SPELLINGS = {"ki": "ky", "li": "ly", "qui": "quy"}


def expand_abbreviations(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        expansion = ABBREVIATIONS.get(strip_diacritics(token))
        if expansion is None and token.isascii():
            expansion = UNACCENTED_SPELLINGS.get(token)
        out.extend(expansion.split() if expansion else [token])
    return out


def fold(text: str) -> list[str]:
    """Tokens in the search form: lowercase, abbreviations expanded, diacritics removed."""
    return [strip_diacritics(t) for t in expand_abbreviations(words(text))]


# Tone marks (dấu thanh) as combining characters, numbered; vowel marks (ă â ê ô ơ ư) stay in the letters.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
# a syllable whose only vowel is y after a consonant is spelled with i as well: ký/kí, lý/lí, mỹ/mĩ
_FINAL_Y = re.compile(r"^(?:b|c|ch|d|đ|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y$")


def accent_key(token: str) -> str:
    """A token in the accented search form: vowel marks kept, the tone moved to the end as a digit
    after an apostrophe, so 'hoà' and 'hòa', 'ký' and 'kí' meet, while 'cảm' and 'cấm' stay apart."""
    tone = "0"
    letters = []
    for ch in unicodedata.normalize("NFD", token):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            letters.append(ch)
    base = unicodedata.normalize("NFC", "".join(letters))
    if _FINAL_Y.match(base):
        base = base[:-1] + "i"
    return f"{base}'{tone}"


def search_tokens(text: str) -> list[tuple[str, str, bool]]:
    """Per token (abbreviations expanded): its folded form, its accented key, and whether it was
    typed with diacritics (only then does the accented key say more than the folded form)."""
    return [(strip_diacritics(t), accent_key(t), has_vietnamese_diacritics(t))
            for t in expand_abbreviations(words(text))]


def folded_text(text: str) -> str:
    return " ".join(fold(text))


def has_words(text: str) -> bool:
    """At least one token with a letter: digits or symbols alone ("1️⃣", "?!") are not a question."""
    return any(not t.isdigit() for t in words(text))


def has_vietnamese_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


# Frequent English words of procedure questions; Vietnamese (even without diacritics) rarely has them.
_ENGLISH = frozenset(
    "the a an to of for in on my i me we you your how do does can what where when which who is are be "
    "get got need needs apply register registration certificate card license licence passport birth "
    "marriage death land house business company permit documents document fee fees cost long take "
    "new lost renew change copy child baby from with and or at much many days office online "
    # more function words and the vocabulary of the glossary (translate.py) foreigners use most; none
    # is a Vietnamese syllable typed without diacritics
    "it its this that there their they them he she his her him our us was were been has have had if "
    "would should could must want wants know tell please about after before without by as not yes "
    "just also still my mine any some all every first old again into out up "
    "visa residence resident temporary permanent extend extension renewal replace replacement reissue "
    "stolen damaged expired expire expires citizenship nationality citizen citizens foreigner foreigners "
    "foreign vietnamese vietnam international driving driver vehicle car motorbike motorcycle plate tax "
    "taxes income refund insurance social health pension benefit benefits allowance maternity "
    "unemployment sick accident disability disabled elderly children daughter father mother wife husband "
    "spouse parents parent adopt adoption guardian guardianship divorce married marry single status civil "
    "record criminal certified certify notarize notarise signature contract will inheritance lawyer "
    "legal court police report plot title red book construction building build repair housing apartment "
    "rent renting tenant landlord property real estate sell buy bought sold transfer gift owner household "
    "open close dissolve suspend stop import export customs goods quarantine pet dog cat animal bank money "
    "account electronic identity identification id work worker job school student hospital doctor "
    "issue issued obtain request declare declaration confirm confirmation register registered pay "
    "papers paperwork where weeks months time takes grandmother grandfather mom dad newborn born died "
    "dead funeral passed away".split()
)

# Frequent Vietnamese syllables of questions typed without diacritics (and chat abbreviations): a
# question with more of them than English words is Vietnamese ("lam the bhyt cho be 3 tuoi can to
# khai gi" has "the", "be", "can", "to" but more Vietnamese).
_VIETNAMESE = frozenset(
    "toi minh em anh chi bac oi nhe nha nhi vay thi la gi sao nao hoi xin cho giup voi roi duoc khong "
    "ko dc dk dky ntn bn j cccd cmnd gplx bhyt bhxh ubnd phai lam muon biet nhu va hoac cua nay neu khi "
    "se da nhung cac mot nhieu bao lau phi tien het mat nop dau giay khai sinh ket hon ho chieu khau "
    "cuoc thuong tru tam dang ky cap doi xe dat nha xay dung kinh doanh phep thu tuc hanh chinh mang "
    "chung thuc sao tre vo chong cha nguoi viec gio ngay thang nam tuoi o".split()
)


def english_words_only(folded: str) -> bool:
    """Whether every word of a folded phrase is also an English word looks_english counts ("in ấn" folds
    to "in an")."""
    english_words = english_vocabulary()
    return all(t in english_words for t in folded.split())


# an unaccented Vietnamese syllable: onset, vowels, final ("son" is sơn, "cat" cát, "loan" loạn)
_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
                       r"(uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|uai|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|"
                       r"ua|ue|ui|uo|uu|uy|ye|[aeiouy])(ch|ng|nh|[cmnpt])?$")


@functools.lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """_ENGLISH and the English words of the glossary (translate.py) that no Vietnamese question typed
    without diacritics has: "forest tree seed source recognition" is English too. Left out: words of
    under three letters, the glossary's Vietnamese syllables and any word shaped like one."""
    from .translate import GlossaryError, glossary  # here: translate.py reads this module
    try:
        known = glossary()
    except GlossaryError:
        return _ENGLISH
    return _ENGLISH | frozenset(
        w for w in known.base if len(w) >= 3 and w.isalpha() and w not in _VIETNAMESE
        and w not in known.vietnamese and not _SYLLABLE.match(w))


def looks_english(text: str) -> bool:
    """English rather than Vietnamese: no Vietnamese diacritics, mostly English words, and more of
    them than Vietnamese syllables typed without diacritics."""
    tokens = words(text)
    if not tokens or has_vietnamese_diacritics(text):
        return False
    english_words = english_vocabulary()
    english = sum(t in english_words for t in tokens)
    return english >= max(1, 0.35 * len(tokens)) and english > sum(t in _VIETNAMESE for t in tokens)
