"""The base of every repository: queries over one session whose transaction belongs to the caller
(a unit of work, :mod:`app.db.uow`), so several repositories can change data in one commit."""

from __future__ import annotations

from typing import Self

from sqlmodel import Session


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> Self:
        return cls(session)
