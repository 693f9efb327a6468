from civicloop.publishing import lengths


def test_x_counts_links_as_23_and_wide_characters_as_2() -> None:
    assert lengths.fit("x", "see https://thimphu.bt/a/very/long/path/that/is/long").used == 27
    assert lengths.fit("x", "公交站").used == 6
    assert lengths.fit("x", "བཀའ་དྲིན་ཆེ།").used == 12, "Tibetan script weighs 1 per code point"


def test_wechat_counts_bytes_of_plain_text() -> None:
    fit = lengths.fit("wechat", "**ཕུལ།**")
    assert (fit.used, fit.limit, fit.unit) == (12, 2048, "bytes of UTF-8"), "four Tibetan code points, 3 bytes each"
    plain = lengths.text_for("wechat", "__Roof__ for *option B*; keep snake_case", {})
    assert plain == "Roof for option B; keep snake_case"


def test_shortening_for_x_keeps_the_link_whole() -> None:
    variants = lengths.short_variants("word " * 200, "https://civicloop.example/c/ABC234 #NorzinBusStop")
    assert list(variants) == ["x"], "only platforms with short posts get a shortened variant"
    assert variants["x"].endswith("… https://civicloop.example/c/ABC234 #NorzinBusStop")
    assert lengths.fit("x", variants["x"]).ok
    assert lengths.short_variants("Short.", "https://x.example") == {"x": "Short. https://x.example"}


def test_variants_win_over_the_common_text() -> None:
    assert lengths.text_for("x", "long", {"x": " short "}) == "short"
    assert lengths.text_for("facebook", "long", {"x": "short"}) == "long"
