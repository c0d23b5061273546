"""The plain-link fast path finds exactly what twitter-text finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from infobot.domain.render.twitter import _tw
from infobot.domain.render.urls import _SIMPLE_URL, _urls

label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
tld = st.sampled_from(["uk", "com", "org", "net", "gov", "io", "eu", "scot", "wales"])
path = st.from_regex(r"(/[a-zA-Z0-9_~%/.()-]{0,20})?", fullmatch=True)
urls = st.builds(
    lambda scheme, labels, top, port, tail: f"{scheme}://{'.'.join(labels)}.{top}{port}{tail}",
    st.sampled_from(["http", "https"]),
    st.lists(label, min_size=1, max_size=3),
    tld,
    st.sampled_from(["", ":8080"]),
    path,
)


@settings(max_examples=400, deadline=None)
@given(
    url=urls,
    before=st.sampled_from(["", "see ", "line\n", "a. "]),
    after=st.sampled_from(["", " more", "\nnext", ". End"]),
)
def test_fast_path_agrees_with_twitter_text(url: str, before: str, after: str) -> None:
    text = before + url + after
    tw = _tw().extract_urls
    for bare in (True, False):
        expected = [(u["indices"][0], u["indices"][1], len(u["url"])) for u in tw(text, bare)]
        lo, hi = len(before), len(before) + len(url)
        if _SIMPLE_URL.fullmatch(text, lo, hi):
            assert expected == [(lo, hi, hi - lo)], (text, expected)
        assert _urls(text, bare) == expected


def test_outbox_render_of_a_plain_link_does_not_load_twitter_text() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from infobot.domain.render import PlatformRules, RenderOptions, render\n"
        "from infobot.domain.story import StoryInput\n"
        "s = StoryInput(body='A story.', link='https://www.example.gov.uk/a/b-c')\n"
        "r = render(s, PlatformRules.outbox(), RenderOptions())\n"
        "assert r.ok\n"
        "print('twitter_text' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_posts_carry_the_story_language() -> None:
    from infobot.domain.render import PlatformRules, RenderOptions, render
    from infobot.domain.story import StoryInput

    story = StoryInput(body="Stori fer am rannu gwybodaeth. " * 30, language="cy")
    rendered = render(story, PlatformRules.mastodon(), RenderOptions())
    assert len(rendered.posts) > 1
    assert {p.language for p in rendered.posts} == {"cy"}
