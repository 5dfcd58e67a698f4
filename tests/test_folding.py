"""The NLU's spelling folding (hamkke.folding, used by nlu_components.folding)."""

import pytest

from hamkke.folding import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Gia hạn visa ở đâu ạ?", "Gia han visa o dau a?"),
        ("ĐĂNG KÝ", "DANG KY"),
        ("ещё ёлка", "еще елка"),
        ("йод и й", "йод и й"),
        ("외국인등록증 потерял F-4", "외국인등록증 потерял F-4"),
        ("gia han", "gia han"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_decomposed_vietnamese_folds_like_composed() -> None:
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Việt Nam")) == "Viet Nam"
