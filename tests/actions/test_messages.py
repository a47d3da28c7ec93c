from actions.messages import render, split_lines


def test_split_lines_respects_the_limit_and_keeps_every_line():
    body = "\n".join(f"{i}. " + "x" * 50 for i in range(100))
    chunks = split_lines(body, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert "\n".join(chunks) == body


def test_a_single_huge_line_is_cut():
    assert [len(c) for c in split_lines("y" * 1200, 500)] == [500, 500, 200]


def test_render_picks_the_language_variant(domain):
    assert render(domain, "frag_no_info", "vi") == "chưa có thông tin"
    assert render(domain, "frag_no_info", "en") == "no information yet"
    assert render(domain, "frag_code", "vi", code="1.000001") == " (mã thủ tục 1.000001)"
