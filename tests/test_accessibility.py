"""The GCS accessible-social-media checks: a passing and a failing example for each."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobot.domain.accessibility import (
    CHECKS,
    AccessibilityRules,
    Check,
    Finding,
    Severity,
    alt_text_length,
    alt_text_missing,
    alt_text_start,
    check_post,
    emoji_count,
    emoji_for_words,
    hashtag_case,
    hashtag_count,
    hashtag_place,
    link_count,
    long_sentences,
    refused,
    repeated_emoji,
    sentences,
)
from infobot.domain.emoji import find_emoji
from infobot.domain.hashtags import apply_display, camel_case
from infobot.domain.render import PlatformRules, RenderOptions, compose
from infobot.domain.story import StoryInput

LIMITS = {
    "x": PlatformRules.x().alt_text_max,
    "mastodon": PlatformRules.mastodon().alt_text_max,
    "bluesky": PlatformRules.bluesky().alt_text_max,
}
GOOD = (
    "I started as a porter and now I run the ward. Training made it possible.\n\n"
    "— Ann Jones, ward manager, Cardiff and Vale\n"
    "https://www.gov.wales/infostory\n"
    "#InfoStory"
)


def checks(findings: list[Finding] | tuple[Finding, ...]) -> list[Check]:
    return [f.check for f in findings]


# --------------------------------------------------------------------------- a good post


def test_a_good_post_passes_every_check() -> None:
    rules = AccessibilityRules(hashtag_display=("#InfoStory",))
    assert (
        check_post(
            GOOD, image=True, alt_text="A nurse at a desk", alt_text_limits=LIMITS, rules=rules
        )
        == ()
    )


def test_a_composed_story_with_the_display_hashtag_passes() -> None:
    story = StoryInput(body="Training changed my job. 🎉", author="Ann", link="https://gov.wales/s")
    text = compose(story, RenderOptions(hashtag="#InfoStory"))
    assert (
        check_post(
            text,
            image=False,
            alt_text="",
            alt_text_limits=LIMITS,
            rules=AccessibilityRules(hashtag_display=("#InfoStory",)),
        )
        == ()
    )


def test_every_check_has_a_summary_line() -> None:
    assert set(CHECKS) == set(Check)


# --------------------------------------------------------------------------- hashtags


def test_camel_case_from_the_display_form_or_a_word_list() -> None:
    assert camel_case("#infostory", display=["#InfoStory"]) == "#InfoStory"
    assert camel_case("#INFOSTORY", display=["InfoStory"]) == "#InfoStory"
    assert camel_case("#infostory", ["info", "story"]) == "#InfoStory"
    assert camel_case("#nhsjobs2026", ["NHS", "jobs"]) == "#NHSJobs2026"
    assert camel_case("#straeongwybodaeth", ["straeon", "gwybodaeth"]) == "#StraeonGwybodaeth"
    # the fewest words win over a longer split
    assert camel_case("#infostory", ["in", "fo", "info", "story", "st", "ory"]) == "#InfoStory"
    assert camel_case("#wales", ["wales"]) is None  # one word: nothing to show
    assert camel_case("#infostory", ["info"]) is None  # cannot be split
    assert camel_case("#infostory") is None


def test_hashtag_case_fails_on_the_lower_case_campaign_tag() -> None:
    [finding] = hashtag_case("Story\n#infostory", display=["#InfoStory"])
    assert finding.check is Check.HASHTAG_CASE
    assert finding.message == (
        "Write #infostory as #InfoStory: a capital letter at the start of each word lets screen"
        " readers read the words. It is still the same hashtag."
    )
    assert hashtag_case("Story\n#InfoStory", display=["#InfoStory"]) == []


def test_hashtag_case_uses_the_word_list_for_other_tags_written_in_one_case() -> None:
    words = ["nhs", "jobs", "proud"]
    assert checks(hashtag_case("#nhsjobs", words=words)) == [Check.HASHTAG_CASE]
    assert "#NhsJobs" in hashtag_case("#NHSJOBS", words=words)[0].message
    assert hashtag_case("#NHSJobs #Proud #wales", words=words) == []  # deliberate case, 1 word


def test_apply_display_rewrites_only_the_campaign_tag() -> None:
    text = "Go #infostory! https://gov.wales/#infostory #INFOSTORYX\n#INFOSTORY"
    assert apply_display(text, ["#InfoStory"]) == (
        "Go #InfoStory! https://gov.wales/#infostory #INFOSTORYX\n#InfoStory"
    )
    assert apply_display("no tag", ["#InfoStory"]) == "no tag"


def test_at_most_two_hashtags() -> None:
    assert hashtag_count("Story\n#InfoStory #NHSWales") == []
    [finding] = hashtag_count("Story\n#InfoStory #NHSWales #Nurses #Proud")
    assert finding.check is Check.TOO_MANY_HASHTAGS
    assert finding.message == (
        "Use at most 2 hashtags; this post has 4 (#InfoStory, #NHSWales, #Nurses, #Proud)."
        " Remove 2: screen readers read every one out in full."
    )


def test_a_hash_inside_a_link_is_not_a_hashtag() -> None:
    assert (
        hashtag_count("See https://gov.wales/a#one and https://gov.wales/b#two\n#InfoStory") == []
    )


def test_hashtags_at_the_end() -> None:
    assert hashtag_place(GOOD) == []
    assert hashtag_place("A story.\n\n#InfoStory #NHSWales 🎉") == []  # tags and emoji end it
    assert hashtag_place("Thanks to everyone. #InfoStory.") == []
    [finding] = hashtag_place("Our #InfoStory today is about #nurses and their work.\n#Wales")
    assert finding.check is Check.HASHTAGS_NOT_AT_END
    assert finding.message == (
        "Move #InfoStory and #nurses to the end of the post: a hashtag inside a sentence"
        " interrupts it for people using screen readers."
    )


# --------------------------------------------------------------------------- links


def test_at_most_one_link() -> None:
    assert link_count("One link: https://gov.wales/a") == []
    [finding] = link_count("Two: https://gov.wales/a and nhs.wales/b")
    assert finding.check is Check.TOO_MANY_LINKS
    assert finding.message == (
        "Use at most 1 link; this post has 2 (https://gov.wales/a, nhs.wales/b)."
        " Keep the one that matters most."
    )


# --------------------------------------------------------------------------- emoji

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
NURSE = "👩🏽\u200d⚕️"
WALES = "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
UK = "🇬🇧"
KEYCAP = "1️⃣"
SINGLE = ["🎉", "❤️", "👍🏿", "😷", "🙂", "☕", "🌈", "🏆"]
POOL = [FAMILY, NURSE, WALES, UK, KEYCAP, *SINGLE]


def test_emoji_are_counted_as_people_see_them() -> None:
    text = f"Us {FAMILY} and {NURSE} from {WALES} {UK} at number {KEYCAP}"
    assert [e.text for e in find_emoji(text)] == [FAMILY, NURSE, WALES, UK, KEYCAP]
    # text-style symbols are not emoji unless asked to be; plain text has none
    assert find_emoji("© 2026 ™ → ✓ 日本語 café") == []
    assert [e.text for e in find_emoji("™️")] == ["™️"]
    assert find_emoji("plain ASCII :-) <3") == []


@given(
    st.lists(st.sampled_from(POOL), max_size=8),
    st.lists(
        st.sampled_from(["word", "Gair", "café", "日本", "—", "#Tag", "\n", "2026"]),
        min_size=1,
        max_size=8,
    ),
)
def test_emoji_count_is_the_number_placed(emoji: list[str], words: list[str]) -> None:
    parts: list[str] = []
    for i, word in enumerate(words):
        parts.append(word)
        if i < len(emoji):
            parts.append(emoji[i])
    parts.extend(emoji[len(words) :])
    text = " ".join(parts)
    assert [e.text for e in find_emoji(text)] == emoji


def test_at_most_three_emoji() -> None:
    assert emoji_count("Proud 🎉 happy 🙂 thanks 🌈") == []
    [finding] = emoji_count(f"Proud 🎉 {FAMILY} {UK} {WALES}")
    assert finding.check is Check.TOO_MANY_EMOJI
    assert finding.message == (
        "Use at most 3 emoji; this post has 4. Screen readers read out the name of each one,"
        " which makes the post long to listen to."
    )


def test_emoji_standing_for_a_word() -> None:
    assert emoji_for_words("We did it. 🎉\nProud of the team 🙌") == []
    assert emoji_for_words("🎉 Good news: the ward reopened.") == []
    assert emoji_for_words("We won 🏆, and then we celebrated.") == []
    [finding] = emoji_for_words("I ❤️ Wales and the NHS.")
    assert finding.check is Check.EMOJI_FOR_WORD
    assert finding.message == (
        "The emoji ❤️ sits between words (“I ❤️ Wales”), as if it stands for a word: a screen"
        " reader reads its name there instead. Write the word, or move the emoji to the end"
        " of the sentence."
    )
    # a run of emoji between words is one finding
    assert len(emoji_for_words("we ☕ ☕ together")) == 1


def test_no_emoji_repeated() -> None:
    assert repeated_emoji("Great 🎉 day 🙂") == []
    [finding] = repeated_emoji("Great 🎉🎉 day 🎉")
    assert finding.check is Check.REPEATED_EMOJI
    assert finding.message == (
        "The emoji 🎉 is used 3 times: use it once. Screen readers read it out every time."
    )
    # a skin tone does not make it a different emoji
    assert "twice" in repeated_emoji("👍 and 👍🏿")[0].message


# --------------------------------------------------------------------------- sentences


def test_sentences_end_at_stops_and_line_breaks() -> None:
    text = "One two. Three? “Four!” Five…\nSix seven\n\n— Ann, nurse"
    assert sentences(text) == [
        "One two.",
        "Three?",
        "“Four!”",
        "Five…",
        "Six seven",
        "— Ann, nurse",
    ]
    assert sentences("Costs £3.50 on gov.wales/x today.") == ["Costs £3.50 on gov.wales/x today."]


def test_no_sentence_over_25_words() -> None:
    ok = " ".join(["word"] * 25) + "."
    assert long_sentences(ok) == []
    long = "When I started " + " ".join(["work"] * 30) + "."
    [finding] = long_sentences(f"{ok} {long}")
    assert finding.check is Check.LONG_SENTENCE
    assert finding.message == (
        "The sentence starting “When I started work work work…” has 33 words: split it so"
        " that no sentence is over 25 words."
    )
    # dashes and emoji are not words
    assert long_sentences(" ".join(["word"] * 25) + " — 🎉 — ") == []


# --------------------------------------------------------------------------- alt text


def test_alt_text_present_when_there_is_an_image() -> None:
    assert alt_text_missing(False, "") == []
    assert alt_text_missing(True, "A nurse at a desk") == []
    [finding] = alt_text_missing(True, "  ")
    assert finding.check is Check.ALT_TEXT_MISSING
    assert finding.message == (
        "Add alt text to the image: describe what it shows for people who cannot see it."
    )


@pytest.mark.parametrize(
    "alt",
    [
        "Image of a nurse",
        "picture of a ward",
        "PHOTO OF staff",
        "A photograph of us",
        "Llun o nyrs",
        "llun o'r tîm",
        "  “Photo of a nurse”",
    ],
)
def test_alt_text_does_not_start_by_saying_it_is_an_image(alt: str) -> None:
    [finding] = alt_text_start(alt)
    assert finding.check is Check.ALT_TEXT_START
    assert finding.message.startswith("Start the alt text with what the image shows, not “")
    assert finding.message.endswith("”: screen readers already say that it is an image.")


@pytest.mark.parametrize(
    "alt",
    [
        "A nurse at a desk",
        "Imagery of the coast",
        "Photos offer…",
        "Llunio cynllun",
        "Nurses photographed in 2026",
    ],
)
def test_alt_text_that_starts_well(alt: str) -> None:
    assert alt_text_start(alt) == []


def test_alt_text_within_each_platform_limit() -> None:
    assert LIMITS == {"x": 1000, "mastodon": 1500, "bluesky": 2000}
    assert alt_text_length("a" * 1000, LIMITS) == []
    findings = alt_text_length("a" * 1600, LIMITS)
    assert [(f.check, f.platform) for f in findings] == [
        (Check.ALT_TEXT_TOO_LONG, "x"),
        (Check.ALT_TEXT_TOO_LONG, "mastodon"),
    ]
    assert findings[0].message == (
        "The alt text has 1,600 characters; X allows 1,000. Shorten it by 600."
    )
    assert alt_text_length("a" * 5000, {"outbox": None}) == []


# --------------------------------------------------------------------------- severity


def test_findings_are_warnings_unless_the_campaign_refuses_them() -> None:
    text = "I ❤️ Wales. https://gov.wales/a https://gov.wales/b #infostory"
    warn = check_post(text, image=True, alt_text="", alt_text_limits=LIMITS)
    assert checks(warn) == [Check.TOO_MANY_LINKS, Check.EMOJI_FOR_WORD, Check.ALT_TEXT_MISSING]
    assert {f.severity for f in warn} == {Severity.WARNING}
    assert refused(warn) == []
    rules = AccessibilityRules(
        hashtag_display=("#InfoStory",), refuse=frozenset({Check.ALT_TEXT_MISSING})
    )
    strict = check_post(text, image=True, alt_text="", alt_text_limits=LIMITS, rules=rules)
    assert checks(strict) == [
        Check.HASHTAG_CASE,
        Check.TOO_MANY_LINKS,
        Check.EMOJI_FOR_WORD,
        Check.ALT_TEXT_MISSING,
    ]
    assert [f.check for f in refused(strict)] == [Check.ALT_TEXT_MISSING]


def test_without_an_image_alt_text_is_not_checked() -> None:
    assert check_post("Story.", image=False, alt_text="Image of", alt_text_limits={"x": 1}) == ()


@given(st.text(max_size=400))
def test_checks_never_fail_on_any_text(text: str) -> None:
    findings = check_post(
        text,
        image=True,
        alt_text=text,
        alt_text_limits=LIMITS,
        rules=AccessibilityRules(hashtag_display=("#InfoStory",), words=("info", "story")),
    )
    for finding in findings:
        assert finding.message and finding.message[0].isupper()
        assert finding.message.rstrip().endswith((".", "”"))
