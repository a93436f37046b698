"""Author names out of bylines: prefixes, roles and separators dropped."""

from __future__ import annotations

import pytest

from transforms.authors import split_author_names


@pytest.mark.parametrize("byline, names", [
    ("By Ana Ruiz", ["Ana Ruiz"]),
    ("By: Ana Ruiz", ["Ana Ruiz"]),
    ("Author: Ana Ruiz", ["Ana Ruiz"]),
    ("Autor: Ana Ruiz und Tom Lee", ["Ana Ruiz", "Tom Lee"]),
    ("Text: Ana Ruiz", ["Ana Ruiz"]),
    ("Words: Ana Ruiz & Tom Lee", ["Ana Ruiz", "Tom Lee"]),
    ("Auteur : Ana Ruiz", ["Ana Ruiz"]),
    ("Written by Ana Ruiz on March 4, 2026", ["Ana Ruiz"]),
    ("Von Ana Ruiz", ["Ana Ruiz"]),
    ("Byron Smith", ["Byron Smith"]),
    ("By Staff", []),
])
def test_split_author_names(byline, names):
    assert split_author_names(byline) == names
