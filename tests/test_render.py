"""Rendering: each platform's own length rules, threads, hashtag, alt text, facets."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
import regex
import twitter_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobot.domain.render import (
    Facet,
    PlatformRules,
    Post,
    Rendered,
    RenderOptions,
    compose,
    count_hashtag,
    facets,
    has_hashtag,
    measure,
    render,
)
from infobot.domain.render.threads import _Layout
from infobot.domain.story import StoryInput

X = PlatformRules.x()
MASTODON = PlatformRules.mastodon()
BLUESKY = PlatformRules.bluesky()
OUTBOX = PlatformRules.outbox()
PLATFORMS = [X, MASTODON, BLUESKY]
NO_TAG = RenderOptions(hashtag="")
DEFAULT = RenderOptions()
FAMILY = "👨‍👩‍👧‍👦"
LONG_URL = "https://www.gov.uk/government/publications/a-very-long-path/with-more-segments-in-it"
NUMBERING = re.compile(r" (\d+)/(\d+)\Z")


def story(body: str, **fields: str) -> StoryInput:
    return StoryInput(body=body, **fields)  # type: ignore[arg-type]


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


# --------------------------------------------------------------------------- measuring


class TestMeasure:
    def test_x_280_ascii_fits_281_does_not(self) -> None:
        assert measure("a" * 280, X) == 280
        assert measure("a" * 281, X) == 281
        assert render(story("a" * 280), X, NO_TAG).ok
        rendered = render(story("a" * 281), X, replace(NO_TAG, overflow="reject"))
        assert not rendered.ok
        assert rendered.problems == (
            "the post is 281 characters, 1 over X's 280. Shorten the story or allow threads"
            " (INFOBOT_OVERFLOW=thread)",
        )

    def test_mastodon_500_and_bluesky_300(self) -> None:
        assert render(story("a" * 500), MASTODON, NO_TAG).ok
        assert not render(story("a" * 501), MASTODON, replace(NO_TAG, overflow="reject")).ok
        assert render(story("a" * 300), BLUESKY, NO_TAG).ok
        assert not render(story("a" * 301), BLUESKY, replace(NO_TAG, overflow="reject")).ok

    def test_mastodon_limit_is_per_instance(self) -> None:
        rules = PlatformRules.mastodon(max_length=1000)
        assert rules.max_length == 1000
        assert render(story("a" * 1000), rules, NO_TAG).ok

    def test_long_url_counts_23_on_x_and_mastodon(self) -> None:
        text = f"see {LONG_URL} now"
        assert len(LONG_URL) > 80
        assert measure(text, X) == 4 + 23 + 4
        assert measure(text, MASTODON) == 4 + 23 + 4
        assert measure(text, BLUESKY) == len(text)  # Bluesky counts it in full

    def test_bare_domain_is_a_url_on_x_only(self) -> None:
        text = "see example.gov.uk now"
        assert measure(text, X) == 31
        assert measure(text, MASTODON) == 22

    def test_family_emoji(self) -> None:
        assert measure(FAMILY, X) == 2
        assert measure(FAMILY, BLUESKY) == 1
        assert measure(FAMILY, MASTODON) == 1
        assert len(FAMILY.encode()) == 25

    def test_flags_keycaps_and_symbols(self) -> None:
        assert measure("🇬🇧", X) == 2
        assert measure("🇬🇧", BLUESKY) == 1
        assert measure("#️⃣", X) == 2
        assert measure("©", X) == 2  # an emoji to twitter-text, although below U+10FF
        assert measure("£€", X) == 3  # € is outside the weight-1 ranges
        assert measure("…", X) == 2
        assert measure("“quoted” – dash", X) == 15  # U+2010..U+201F weigh 1

    def test_cjk_weighs_two_on_x_only(self) -> None:
        assert measure("日本語", X) == 6
        assert measure("日本語", MASTODON) == 3
        assert measure("日本語", BLUESKY) == 3

    def test_x_normalises_to_nfc(self) -> None:
        assert measure("e\u0301", X) == 1
        assert measure("e\u0301", BLUESKY) == 1

    def test_crlf(self) -> None:
        assert measure("a\r\nb", X) == 3
        assert measure("a\r\nb", BLUESKY) == 3
        assert measure("a\r\nb", MASTODON) == 3

    def test_mastodon_counts_remote_mentions_as_local(self) -> None:
        assert measure("hi @alice@social.example.org", MASTODON) == 9
        assert measure("hi @alice", MASTODON) == 9
        assert measure("hi @alice@social.example.org", X) == 28

    def test_mastodon_counts_only_urls_with_a_scheme(self) -> None:
        assert measure("http://example.org/" + "a" * 50, MASTODON) == 23

    def test_bluesky_checks_bytes_too(self) -> None:
        rendered = render(story(FAMILY * 150), BLUESKY, replace(NO_TAG, overflow="reject"))
        assert measure(FAMILY * 150, BLUESKY) == 150
        assert rendered.problems == (
            "the post is 3750 bytes, 750 over Bluesky's 3000 bytes. Shorten the story or allow"
            " threads (INFOBOT_OVERFLOW=thread)",
        )

    def test_outbox_rules(self) -> None:
        assert OUTBOX.name == "outbox"
        assert OUTBOX.max_length == 500
        assert OUTBOX.counter == "mastodon"
        assert OUTBOX.alt_text_max == 1500

    def test_bad_rules_are_refused(self) -> None:
        with pytest.raises(ValueError, match="counter"):
            PlatformRules(name="y", max_length=10, counter="bytes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="max_length"):
            PlatformRules(name="y", max_length=0, counter="graphemes")


# --------------------------------------------------------------------------- composing


class TestCompose:
    def test_layout(self) -> None:
        text = compose(
            story(
                "Body text.",
                author="Aisha Khan",
                role="Nurse",
                organisation="NHS",
                link="https://example.org/a",
            ),
            DEFAULT,
        )
        assert text == ("Body text.\n\n— Aisha Khan, Nurse, NHS\nhttps://example.org/a\n#infostory")

    def test_empty_fields_drop_with_their_separators(self) -> None:
        assert (
            compose(story("Hi", author="Aisha Khan"), DEFAULT) == "Hi\n\n— Aisha Khan\n#infostory"
        )
        assert compose(story("Hi", role="Nurse", organisation="NHS"), DEFAULT) == (
            "Hi\n\n— Nurse, NHS\n#infostory"
        )
        assert compose(story("Hi", organisation="NHS"), DEFAULT) == "Hi\n\n— NHS\n#infostory"
        assert compose(story("Hi"), DEFAULT) == "Hi\n#infostory"
        assert compose(story("Hi", link="https://x.org"), DEFAULT) == (
            "Hi\n\nhttps://x.org\n#infostory"
        )

    def test_custom_template(self) -> None:
        options = RenderOptions(attribution="{author} ({role}) — {title}")
        assert compose(story("Hi", author="Ann", role="GP", title="T"), options) == (
            "Hi\n\nAnn (GP) — T\n#infostory"
        )
        assert compose(story("Hi", author="Ann"), options) == "Hi\n\nAnn\n#infostory"
        assert compose(story("Hi", title="T"), options) == "Hi\n\nT\n#infostory"

    def test_bad_template_or_hashtag_is_refused(self) -> None:
        with pytest.raises(ValueError, match="field"):
            RenderOptions(attribution="{name}")
        with pytest.raises(ValueError, match="hashtag"):
            RenderOptions(hashtag="infostory")
        with pytest.raises(ValueError, match="hashtag"):
            RenderOptions(hashtag="#info story")

    def test_text_is_cleaned(self) -> None:
        text = compose(story("  A\r\nB  \n\n\n\nC\ufeff ", author=" Ann\n Lee "), NO_TAG)
        assert text == "A\nB\n\nC\n\n— Ann Lee"
        assert compose(story("Cafe\u0301"), NO_TAG) == "Café"

    def test_existing_hashtag_is_not_doubled(self) -> None:
        body = "Proud of our team #InfoStory today"
        assert compose(story(body), DEFAULT) == body
        rendered = render(story(body), X, DEFAULT)
        assert rendered.ok
        assert [p.text for p in rendered.posts] == [body]

    def test_similar_tags_are_not_the_hashtag(self) -> None:
        for body in (
            "see #infostory2",
            "see #infostory_x",
            "see abc#infostory",
            "see https://example.org/page#infostory",
            "see example.org/#infostory",
            "see #infostory#",
        ):
            assert not has_hashtag(body, "#infostory"), body
            assert compose(story(body), DEFAULT).endswith("\n#infostory"), body

    def test_hashtag_matching(self) -> None:
        assert has_hashtag("#infostory", "#infostory")
        assert has_hashtag("(#INFOSTORY).", "#infostory")
        assert has_hashtag("a #infostory's b", "#infostory")
        assert has_hashtag("＃infostory", "#infostory")
        assert count_hashtag("#infostory and #InfoStory", "#infostory") == 2
        assert not has_hashtag("no tag", "#infostory")

    def test_no_hashtag_configured(self) -> None:
        assert compose(story("Hi"), NO_TAG) == "Hi"


# --------------------------------------------------------------------------- threads


def _content(post: Post, k: int, total: int, tag_line: str) -> str:
    suffix = f" {k}/{total}"
    assert post.text.endswith(suffix)
    text = post.text[: -len(suffix)]
    if k == 1 and tag_line:
        assert text.endswith(tag_line)
        text = text[: -len(tag_line)]
    return text


class TestThreads:
    def test_splits_with_numbering_and_the_hashtag_first(self) -> None:
        body = words(150)  # 749 characters
        rendered = render(story(body), X, DEFAULT)
        assert rendered.ok
        total = len(rendered.posts)
        assert total == 3
        for k, post in enumerate(rendered.posts, start=1):
            assert post.text.endswith(f" {k}/{total}")
            assert post.length == measure(post.text, X) <= 280
            assert post.limit == 280
        assert rendered.posts[0].text.endswith("\n#infostory 1/3")
        assert count_hashtag(" ".join(p.text for p in rendered.posts), "#infostory") == 1

    def test_parts_join_back(self) -> None:
        body = "First paragraph. " * 10 + "\n\n" + "Second one! " * 30
        rendered = render(story(body, author="Ann"), MASTODON, DEFAULT)
        assert rendered.ok
        total = len(rendered.posts)
        joined = " ".join(
            _content(p, k, total, "\n#infostory") for k, p in enumerate(rendered.posts, 1)
        )
        composed = compose(story(body, author="Ann"), DEFAULT)
        assert " ".join(joined.split()) == " ".join(composed.split()[:-1])

    def test_prefers_paragraph_then_sentence_breaks(self) -> None:
        first = "One two three four five six seven eight nine ten. " * 3
        body = first.strip() + "\n\n" + words(60)
        rendered = render(story(body), X, NO_TAG)
        assert rendered.posts[0].text == first.strip() + " 1/3"

        # a paragraph break wins over later sentence breaks, if the post is half full
        body = words(30) + "\n\n" + "Short sentence here. " * 12
        rendered = render(story(body), X, NO_TAG)
        assert rendered.posts[0].text == words(30) + " 1/2"

        sentences = "This is a short sentence. " * 14
        rendered = render(story(sentences.strip()), X, NO_TAG)
        assert all(p.text.split(" ")[-2].endswith(".") for p in rendered.posts)

    def test_reject_names_platform_length_and_limit(self) -> None:
        rendered = render(story(words(100)), X, replace(DEFAULT, overflow="reject"))
        assert not rendered.ok
        assert rendered.problems == (
            "the post is 510 characters, 230 over X's 280. Shorten the story or allow threads"
            " (INFOBOT_OVERFLOW=thread)",
        )
        assert len(rendered.posts) == 1  # the whole text, for a preview

    def test_x_with_threads_off_says_by_how_much_and_what_to_do(self) -> None:
        # INFOBOT_X__THREADS=false: the X adapter allows one post (issue 16)
        rules = replace(X, max_parts=1)
        rendered = render(story("a" * 300), rules, NO_TAG)
        assert rendered.problems == (
            "the post is 300 characters, 20 over X's 280. Shorten the story or allow threads"
            " (INFOBOT_X__THREADS)",
        )
        assert [p.length for p in rendered.posts] == [300]  # the whole text, for a preview

    def test_too_many_parts(self) -> None:
        rules = replace(X, max_parts=2)
        rendered = render(story(words(200)), rules, DEFAULT)
        assert not rendered.ok
        assert rendered.problems == (
            "the story needs a thread of 4 posts, 2 more than the 2 X allows. Shorten the story",
        )

    def test_ten_or_more_parts_get_two_digit_numbers(self) -> None:
        rules = replace(X, max_parts=20)
        rendered = render(story(words(700)), rules, DEFAULT)
        assert rendered.ok
        total = len(rendered.posts)
        assert total >= 10
        assert rendered.posts[0].text.endswith(f" 1/{total}")
        assert all(p.length <= 280 for p in rendered.posts)

    def test_a_word_that_cannot_fit_is_a_problem_not_a_crash(self) -> None:
        rendered = render(story("start " + "a" * 400 + " end"), X, DEFAULT)
        assert not rendered.ok
        assert rendered.problems[0].startswith("“aaaa")
        assert "a post on X has room for" in rendered.problems[0]
        assert "no place to split it" in rendered.problems[0]

    def test_a_long_url_is_never_cut(self) -> None:
        url = "https://example.org/" + "p" * 400
        rendered = render(story(words(50) + " " + url + " " + words(50)), X, DEFAULT)
        assert rendered.ok
        assert any(url in p.text for p in rendered.posts)
        rendered = render(story(words(50) + " " + url + " " + words(50)), BLUESKY, DEFAULT)
        assert not rendered.ok  # Bluesky counts the URL in full: it cannot fit
        assert "no place to split it" in rendered.problems[0]

    def test_bluesky_splits_by_bytes_too(self) -> None:
        body = " ".join([FAMILY] * 250)  # 499 graphemes, 6,499 bytes
        rendered = render(story(body), BLUESKY, DEFAULT)
        assert rendered.ok
        for post in rendered.posts:
            assert measure(post.text, BLUESKY) <= 300
            assert len(post.text.encode()) <= 3000
        assert len(rendered.posts) == 3

    def test_never_splits_inside_a_grapheme_cluster(self) -> None:
        # A space followed by a combining mark is one cluster: not a place to split.
        # "a…a z" would fit the first post exactly, but only by cutting " \u0301" in two.
        body = "a" * 274 + " z \u0301b c"
        rendered = render(story(body), X, NO_TAG)
        assert rendered.ok
        assert [p.text for p in rendered.posts] == ["a" * 274 + " 1/2", "z \u0301b c 2/2"]

    def test_no_break_spaces_hold(self) -> None:
        body = "a" * 275 + " 10\u00a0km"
        rendered = render(story(body), X, NO_TAG)
        assert rendered.ok
        assert rendered.posts[1].text.startswith("10\u00a0km")

    def test_cjk_splits_after_full_stops(self) -> None:
        sentence = "今日はとても良い天気でした。"  # 14 characters, 28 on X
        body = sentence * 20
        rendered = render(story(body), X, DEFAULT)
        assert rendered.ok
        assert len(rendered.posts) > 1
        for post in rendered.posts:
            content = NUMBERING.sub("", post.text).removesuffix("\n#infostory")
            assert content.endswith("。")
            assert post.length <= 280

    def test_each_part_is_measured_exactly(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # The planner's estimate is additive; if it ever falls short (counting that depends
        # on context), the exact measure must win. Make the estimate badly short:
        monkeypatch.setattr(_Layout, "at", lambda self, pos: pos // 3)
        rendered = render(story(words(150)), X, DEFAULT)
        assert rendered.ok
        assert len(rendered.posts) == 3
        assert all(measure(p.text, X) == p.length <= 280 for p in rendered.posts)

    def test_empty_story(self) -> None:
        rendered = render(story("   "), X, DEFAULT)
        assert rendered.problems == ("the story has no text",)


# --------------------------------------------------------------------------- images


class TestImages:
    def test_image_goes_on_the_first_post_only(self) -> None:
        rendered = render(story(words(150), image="a.png", image_alt="A nurse"), X, DEFAULT)
        assert rendered.ok
        assert (rendered.posts[0].image, rendered.posts[0].image_alt) == ("a.png", "A nurse")
        assert all(p.image == "" and p.image_alt == "" for p in rendered.posts[1:])

    def test_image_without_alt_text(self) -> None:
        rendered = render(story("Hi", image="a.png", image_alt="  "), MASTODON, DEFAULT)
        assert rendered.problems == (
            "the image has no alt text, which people using screen readers need: add a short"
            " description of the image",
        )

    def test_alt_text_limits(self) -> None:
        assert render(story("Hi", image="a.png", image_alt="a" * 1000), X, DEFAULT).ok
        rendered = render(story("Hi", image="a.png", image_alt="a" * 1001), X, DEFAULT)
        assert rendered.problems == (
            "the alt text is 1001 characters, 1 over X's 1000. Shorten the alt text",
        )
        assert render(story("Hi", image="a.png", image_alt="a" * 1500), MASTODON, DEFAULT).ok
        assert not render(story("Hi", image="a.png", image_alt="a" * 1501), MASTODON, DEFAULT).ok
        assert render(story("Hi", image="a.png", image_alt="a" * 2000), BLUESKY, DEFAULT).ok
        assert not render(story("Hi", image="a.png", image_alt="a" * 2001), BLUESKY, DEFAULT).ok

    def test_platform_without_images(self) -> None:
        rules = replace(OUTBOX, images=False)
        rendered = render(story("Hi", image="a.png", image_alt="A"), rules, DEFAULT)
        assert rendered.problems == (
            "this platform does not take images: remove the image from the story",
        )
        assert rendered.posts[0].image == ""

    def test_alt_text_without_image_is_ignored(self) -> None:
        rendered = render(story("Hi", image_alt="An image"), X, DEFAULT)
        assert rendered.ok
        assert rendered.posts[0].image_alt == ""


# --------------------------------------------------------------------------- facets


class TestFacets:
    def test_byte_offsets_match_the_reference_example(self) -> None:
        text = "Café story — £5 today 😷 #infostory more: gov.uk page"
        found = facets(text)
        assert found[0] == Facet("tag", 31, 41, "infostory")
        assert found[1] == Facet("link", 48, 54, "https://gov.uk")

    def test_slices_give_back_the_text(self) -> None:
        text = f"{FAMILY} see {LONG_URL} and #InfoStory, #other2 #123 (#x)"
        data = text.encode()
        for facet in facets(text):
            piece = data[facet.byte_start : facet.byte_end].decode()
            if facet.kind == "tag":
                assert piece == "#" + facet.value
            else:
                assert piece == facet.value
        assert [f.value for f in facets(text) if f.kind == "tag"] == ["InfoStory", "other2", "x"]

    def test_fragment_in_a_url_is_not_a_tag(self) -> None:
        assert [f.kind for f in facets("https://example.org/page#infostory")] == ["link"]

    def test_tags_longer_than_64_are_skipped(self) -> None:
        assert facets("#" + "a" * 65) == []
        assert facets("#" + "a" * 64) == [Facet("tag", 0, 65, "a" * 64)]


# --------------------------------------------------------------------------- the module


def test_import_stays_light() -> None:
    code = (
        "import sys, infobot.domain.render; "
        "print(sorted(m for m in ('regex', 'twitter_text') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_works_without_pkg_resources() -> None:
    code = (
        "import sys; sys.modules['pkg_resources'] = None\n"
        "from infobot.domain.render import PlatformRules, measure\n"
        "print(measure('😷 example.com', PlatformRules.x()), sys.modules['pkg_resources'])"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["26", "None"]


def test_render_is_fast() -> None:
    body = (
        "Our ward team café 😷 kept going through the night. "
        "Read more at https://www.nhs.uk/some/page today! "
    ) * 30
    st_ = story(body[:2000], author="Aisha Khan", role="Nurse", organisation="NHS")
    for rules in PLATFORMS:
        render(st_, rules, DEFAULT)  # warm up: lazy imports and patterns
        best = min(_timed(lambda rules=rules: render(st_, rules, DEFAULT)) for _ in range(15))
        # 2 ms is the target (about 0.7 ms here); the bound is loose for busy CI machines.
        assert best < 0.010, (rules.name, best)


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- properties

ASCII_WORDS = st.sampled_from(
    ["the", "nurse", "ward", "team", "Thank", "you", "a", "I", "NHS", "24/7", "3.5", "e.g.", "x"]
)
UNICODE_WORDS = st.sampled_from(
    [
        "café",
        "naïve",
        "Cymraeg",
        "ŵyr",
        "łódź",
        "Ελλάδα",
        "Москва",
        "مرحبا",
        "नमस्ते",
        "한국어",
        "日本語",
        "こんにちは。元気",
        "e\u0301",
        "x\u0308\u0301",
        "£5",
        "€10",
        "—",
        "…",
        "“quoted”",
        "10\u00a0km",
    ]
)
EMOJI = st.sampled_from(
    [
        "😷",
        FAMILY,
        "👩🏽‍⚕️",
        "🏳️‍🌈",
        "🇬🇧",
        "🏴󠁧󠁢󠁷󠁬󠁳󠁿",
        "1️⃣",
        "#️⃣",
        "❤️",
        "©",
        "👍🏿",
    ]
)
URLS = st.sampled_from(
    [
        "https://www.nhs.uk",
        "https://example.org/a/long/path/" + "x" * 40,
        "http://example.org/page#infostory",
        "example.gov.uk",
        "gov.uk/help",
        "(https://example.org/x)",
        "https://例え.jp/パス",
    ]
)
TAGS = st.sampled_from(
    ["#other", "#infostory2", "#InfoStoryX", "#NHS", "#日本", "@alice@example.social"]
)
PUNCT = st.sampled_from([".", ",", "!", "?", ":", "。"])
SEPARATORS = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", "  ", " \t"])
TOKENS = st.one_of(
    ASCII_WORDS,
    ASCII_WORDS,
    ASCII_WORDS,
    UNICODE_WORDS,
    EMOJI,
    URLS,
    TAGS,
    st.tuples(ASCII_WORDS, PUNCT).map("".join),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Z"]), max_size=4
    ),
)


@st.composite
def bodies(draw: st.DrawFn, max_tokens: int = 400) -> str:
    size = draw(st.integers(1, max_tokens))  # lists alone stay short: ask for a length
    tokens = draw(st.lists(TOKENS, min_size=size, max_size=size))
    seps = draw(st.lists(SEPARATORS, min_size=len(tokens), max_size=len(tokens)))
    if draw(st.booleans()):  # sometimes the story already carries the hashtag
        at = draw(st.integers(0, len(tokens)))
        tokens.insert(at, draw(st.sampled_from(["#infostory", "#InfoStory", "#INFOSTORY"])))
        seps.append(" ")
    return "".join(t + s for t, s in zip(tokens, seps, strict=True))


@st.composite
def stories(draw: st.DrawFn) -> StoryInput:
    return StoryInput(
        body=draw(bodies()),
        author=draw(st.sampled_from(["", "Aisha Khan", "Siân Lloyd", "李雷"])),
        role=draw(st.sampled_from(["", "Nurse"])),
        organisation=draw(st.sampled_from(["", "NHS Wales"])),
        link=draw(st.sampled_from(["", "https://www.nhs.uk/story/123", "nhs.uk"])),
    )


def _spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(pattern, text)]


def _check_thread(rendered: Rendered, rules: PlatformRules, generated: StoryInput) -> None:
    """Every part fits; the hashtag is there once; the parts give back the text."""
    for post in rendered.posts:
        assert post.length == measure(post.text, rules)
        assert post.length <= rules.max_length
        if rules.max_bytes is not None:
            assert len(post.text.encode()) <= rules.max_bytes
        if rules.counter == "x_weighted":
            assert post.length == twitter_text.parse_tweet(post.text).weightedLength
        elif rules.counter == "graphemes":
            assert post.length == graphemes(post.text)

    everything = "\n".join(p.text for p in rendered.posts)
    assert count_hashtag(everything, "#infostory") == 1

    text = compose(generated, NO_TAG)  # the text without an appended hashtag
    appended = not has_hashtag(text, "#infostory")
    assert compose(generated, DEFAULT) == (text + "\n#infostory" if appended else text)
    total = len(rendered.posts)
    contents = []
    for k, post in enumerate(rendered.posts, start=1):
        part = post.text
        if total > 1:
            part = part.removesuffix(f" {k}/{total}")
            assert part != post.text
        if k == 1 and appended:
            assert part.endswith("\n#infostory")
            part = part[:-11]
        contents.append(part)
    if total == 1:
        assert contents == [text]
        return

    # Each part is a stretch of the text; what lies between two parts is whitespace (or
    # nothing, after 。！？); together they cover it all.
    boundaries = {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}
    protected = _spans(r"[#＃][\w\u200c\u200d·]+|@\w+@[\w.]+", text)
    protected += [tuple(u["indices"]) for u in twitter_text.extract_urls_with_indices(text)]
    pos = 0
    for k, part in enumerate(contents):
        if k:
            found = text.find(part, pos)
            assert found >= 0, (k, part)
            gap = text[pos:found]
            assert gap.isspace() or (not gap and text[pos - 1] in "。！？」』）】〕〉》"), (k, gap)
            pos = found
        assert text.startswith(part, pos), (k, part, text[pos : pos + 50])
        end = pos + len(part)
        for cut in (pos, end):
            assert cut in boundaries, ("inside a grapheme cluster", cut)
            assert not any(s < cut < e for s, e in protected), ("inside a URL or tag", cut)
        pos = end
    assert pos == len(text)


@pytest.mark.parametrize("rules", PLATFORMS, ids=lambda r: r.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=stories())
def test_property_posts_fit_and_give_back_the_text(
    rules: PlatformRules, generated: StoryInput
) -> None:
    rendered = render(generated, rules, DEFAULT)
    if not rendered.ok:
        assert rendered.problems  # a problem, never a bad post
        return
    _check_thread(rendered, rules, generated)


@settings(max_examples=40, deadline=None)
@given(generated=stories())
def test_property_short_limits_force_many_parts(generated: StoryInput) -> None:
    rules = PlatformRules(name="tiny", max_length=60, counter="graphemes", max_parts=200)
    rendered = render(generated, rules, RenderOptions(hashtag="#infostory"))
    if rendered.ok:
        _check_thread(rendered, rules, generated)
    else:
        assert rendered.problems


@settings(max_examples=150, deadline=None)
@given(text=bodies(max_tokens=40))
def test_property_x_counter_is_twitter_text(text: str) -> None:
    assert measure(text, X) == twitter_text.parse_tweet(text).weightedLength


URL_PIECES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        [
            ".com",
            ".co.uk",
            ".рф",
            "https://",
            "http://",
            "www.",
            "example",
            "/path",
            "?q=1",
            "#frag",
            " ",
            "\n",
            "\r\n",
            "@",
            "t.co/abc",
            "xn--p1ai",
            "日本.jp",
            "-",
            "_",
            ".",
            "/",
            "À",
            "é",
            "e\u0301",
            "\u00a0",
            "\u3000",
            FAMILY,
            "\u200d",
            "\ufe0f",
            "\u20e3",
            "1",
            "#",
            "©",
            "🇬",
            "🇧",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(URL_PIECES, max_size=40).map("".join))
def test_property_x_counter_is_twitter_text_on_url_soup(text: str) -> None:
    # URLs are looked for token by token (for speed): this is where that could go wrong.
    assert measure(text, X) == twitter_text.parse_tweet(text).weightedLength


@pytest.mark.parametrize("text", [" À0.AL", "x À0.AL", "À0.AL", "a-b.com", " _x.com", "(x.com)"])
def test_x_counter_url_context(text: str) -> None:
    assert measure(text, X) == twitter_text.parse_tweet(text).weightedLength


@settings(max_examples=100, deadline=None)
@given(text=bodies(max_tokens=30))
def test_property_graphemes_and_facets(text: str) -> None:
    assert measure(text, BLUESKY) == graphemes(text)
    data = text.encode()
    for facet in facets(text):
        piece = data[facet.byte_start : facet.byte_end].decode()
        expected = "#" + facet.value if facet.kind == "tag" else facet.value
        assert piece in (expected, expected.removeprefix("https://"))
