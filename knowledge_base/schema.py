"""Typed schema of one procedure record (thủ tục hành chính) and its parts.

A record is the single source the bot answers from; empty fields mean "chưa có thông tin",
never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_PATTERN = re.compile(r"^\d\.\d{6}(?:\.\d{6})?$")

Level = Literal["central", "province", "commune", "other"]
ChannelKind = Literal["truc_tiep", "buu_chinh", "truc_tuyen"]
ASPECTS = ("overview", "documents", "fee", "time", "where", "steps", "online", "eligibility", "result")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Agency(_Strict):
    """Cơ quan: who receives the dossier and who decides."""

    receives: Optional[str] = None
    decides: Optional[str] = None


class Channel(_Strict):
    """Hình thức nộp: one way of filing, with its own time and fee when the source gives them."""

    kind: ChannelKind
    processing_time: Optional[str] = None
    fee: Optional[str] = None
    description: Optional[str] = None
    online_url: Optional[str] = None
    fully_online: Optional[bool] = None  # dịch vụ công trực tuyến toàn trình


class Document(_Strict):
    """Thành phần hồ sơ: one paper of the dossier."""

    name: str = Field(min_length=1)
    copies: Optional[int] = Field(default=None, ge=0, le=100)
    form: Optional[Literal["original", "copy", "original_or_copy", "electronic"]] = None
    template: Optional[str] = None  # mẫu đơn, tờ khai
    note: Optional[str] = None


class Fee(_Strict):
    """Phí, lệ phí. `summary` None means the source does not say."""

    summary: Optional[str] = None
    exemptions: Optional[str] = None


class Source(_Strict):
    title: str = Field(min_length=1)
    url: Optional[str] = None
    kind: Literal["official_portal", "law", "provincial_portal", "secondary"] = "secondary"
    retrieved: Optional[str] = None  # e.g. "crawl 6–7/2026"


class Procedure(_Strict):
    id: str
    official_code: list[str] = Field(default_factory=list)
    # codes of outdated versions of this procedure still on the portal: a curated record replaces the
    # imported records carrying them (kept as second sources) without claiming them as its own code
    supersedes: list[str] = Field(default_factory=list)
    name: str = Field(min_length=3, max_length=2000)
    name_en: Optional[str] = None
    aliases: list[str] = Field(default_factory=list)
    aliases_en: list[str] = Field(default_factory=list)
    field: str = Field(min_length=1)
    ministry: Optional[str] = None  # bộ, ngành quản lý
    level: list[Level] = Field(min_length=1)
    agency: Agency = Field(default_factory=Agency)
    channels: list[Channel] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    processing_time: Optional[str] = None
    fee: Fee = Field(default_factory=Fee)
    eligibility: Optional[str] = None  # đối tượng thực hiện
    requirements: Optional[str] = None  # yêu cầu, điều kiện
    result: Optional[str] = None
    legal_basis: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    updated: dt.date
    confidence: Optional[Literal["high", "medium", "low"]] = None
    notes: Optional[str] = None
    flags: list[str] = Field(default_factory=list)  # data defects found on import, shown to staff
    origin: Literal["curated", "portal", "import"] = "curated"

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("id must be lowercase ASCII words joined by '-'")
        return value

    @field_validator("official_code", "supersedes")
    @classmethod
    def _codes_look_official(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not CODE_PATTERN.match(code):
                raise ValueError(f"official code {code!r} is not like 1.001193")
        return codes

    @property
    def online_url(self) -> Optional[str]:
        for channel in self.channels:
            if channel.kind == "truc_tuyen" and channel.online_url:
                return channel.online_url
        return None

    @property
    def files_online(self) -> bool:
        return any(c.kind == "truc_tuyen" for c in self.channels)
