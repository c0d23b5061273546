"""A story rendered for one platform: the posts to send, or the problems that stop it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from infobot.domain.platform_names import display_name
from infobot.domain.render.compose import _clean_text, _compose
from infobot.domain.render.graphemes import _utf8_len
from infobot.domain.render.linking import LINK_IN_REPLY, links_in, split_link, tracked, with_card
from infobot.domain.render.measure import _counter
from infobot.domain.render.threads import _layout, _split
from infobot.domain.render.types import Card, PlatformRules, Post, Rendered, RenderOptions

if TYPE_CHECKING:
    from infobot.domain.story import StoryInput


def _too_long(rules: PlatformRules, options: RenderOptions, length: int, size: int) -> str:
    """The post is over the limit and may not become a thread: by how much, and what to do."""
    name = display_name(rules.name)
    if length > rules.max_length:
        over = length - rules.max_length
        what = f"the post is {length} characters, {over} over {name}'s {rules.max_length}"
    else:
        limit = rules.max_bytes or 0
        what = f"the post is {size} bytes, {size - limit} over {name}'s {limit} bytes"
    if options.overflow == "thread" and rules.threads_setting:  # the platform's own switch
        return f"{what}. Shorten the story or allow threads ({rules.threads_setting})"
    if options.overflow == "thread":
        return f"{what}. Shorten the story"
    return f"{what}. Shorten the story or allow threads (INFOBOT_OVERFLOW=thread)"


def _image_problems(story: StoryInput, rules: PlatformRules) -> list[str]:
    if not story.image.strip():
        return []
    if not rules.images:
        return ["this platform does not take images: remove the image from the story"]
    alt = _clean_text(story.image_alt).strip()
    if not alt:
        return [
            "the image has no alt text, which people using screen readers need: add a short"
            " description of the image"
        ]
    # Code points: never fewer than graphemes, and what Mastodon's validator counts.
    limit = rules.alt_text_max
    if limit is not None and len(alt) > limit:
        return [
            f"the alt text is {len(alt)} characters, {len(alt) - limit} over"
            f" {display_name(rules.name)}'s {limit}. Shorten the alt text"
        ]
    return []


_SLACK = 40  # how far the additive estimate may be from the exact length


def render(
    story: StoryInput, rules: PlatformRules, options: RenderOptions, card: Card | None = None
) -> Rendered:
    """The posts for one platform, or the problems that stop the story going there.

    In a bilingual campaign (two ``options.languages`` or more) every version goes out, as
    the platform's mode says (see :mod:`infobot.domain.render.bilingual`); give the options
    of that platform (``options.for_platform(name)``). ``card``: the link card kept with
    the story (read at approval), for platforms that show one. See :mod:`.linking` for
    tracking, the link in a reply and the card.
    """
    main, link = split_link(story, rules)
    if len(options.languages) > 1:
        from infobot.domain.render.bilingual import render_bilingual

        rendered = render_bilingual(main, rules, options)
    else:
        rendered = render_one(main, rules, options)
    posts = list(rendered.posts)
    problems = list(rendered.problems)
    notes: list[str] = []
    if link and posts:
        reply = _link_reply(link, rules, options)
        if reply.length > rules.max_length:
            problems.append(f"the link is too long for a reply on {rules.name}")
        posts.append(replace(reply, language=story.language) if story.language else reply)
        notes.append(LINK_IN_REPLY)
    posts, card_notes = with_card(posts, story, rules, card)
    notes.extend(card_notes)
    notes.extend(rules.audience.describe())
    return Rendered(
        rendered.platform,
        tuple(posts),
        tuple(problems),
        tuple(notes),
        bilingual=rendered.bilingual,
    )


def render_one(story: StoryInput, rules: PlatformRules, options: RenderOptions) -> Rendered:
    """The posts of one language version of a story (its own fields) for one platform,
    without the link reply or the card (:func:`render` adds them)."""
    rendered = _render(story, rules, options)
    if not story.language:
        return rendered
    posts = tuple(replace(p, language=story.language) for p in rendered.posts)
    return Rendered(rendered.platform, posts, rendered.problems)


def _link_reply(link: str, rules: PlatformRules, options: RenderOptions) -> Post:
    text, links = tracked(link, rules, options)
    return Post(text, _counter(rules.counter)(text), rules.max_length, links=links)


def _render(story: StoryInput, rules: PlatformRules, options: RenderOptions) -> Rendered:
    text, needs_tag = _compose(story, options)
    text, pairs = tracked(text, rules, options)  # measured as it is sent
    rendered = _render_text(story, rules, options, text, needs_tag)
    if not pairs:
        return rendered
    posts = tuple(replace(p, links=links_in(p.text, pairs)) for p in rendered.posts)
    return Rendered(rendered.platform, posts, rendered.problems)


def _render_text(
    story: StoryInput, rules: PlatformRules, options: RenderOptions, text: str, needs_tag: bool
) -> Rendered:
    weigh = _counter(rules.counter)
    problems: list[str] = []
    if not text:
        problems.append("the story has no text")
    problems.extend(_image_problems(story, rules))
    image = story.image.strip() if rules.images else ""
    alt = _clean_text(story.image_alt).strip() if image else ""

    tag_line = f"\n{options.hashtag}" if needs_tag and text else ""
    full = text + tag_line if text else options.hashtag
    size = _utf8_len(full)
    # X with INFOBOT_X__THREADS=false allows one post: no thread to plan.
    threads = options.overflow == "thread" and bool(text) and rules.max_parts > 1
    layout = None
    length = -1  # not measured: the text is far too long for one post
    if threads and len(full) > 2 * rules.max_length:
        # Long text: cut it up first, and measure it whole only if the sum of its pieces
        # comes near the limit (a URL-heavy text can still fit).
        layout = _layout(text, rules.counter)
        estimate = layout.at(len(text)) + (weigh(tag_line) if tag_line else 0)
        if estimate <= rules.max_length + _SLACK:
            length = weigh(full)
    else:
        length = weigh(full)
    if 0 <= length <= rules.max_length and (rules.max_bytes is None or size <= rules.max_bytes):
        post = Post(full, length, rules.max_length, image, alt)
        return Rendered(rules.name, (post,), tuple(problems))

    def whole() -> tuple[Post, ...]:
        measured = length if length >= 0 else weigh(full)
        return (Post(full, measured, rules.max_length, image, alt),)

    if not threads:
        problems.append(_too_long(rules, options, length, size))
        return Rendered(rules.name, whole(), tuple(problems))

    if layout is None:
        layout = _layout(text, rules.counter)
    texts, lengths, problem = _split(layout, rules, weigh, tag_line)
    if problem:
        problems.append(problem)
    if not texts:
        return Rendered(rules.name, whole(), tuple(problems))
    posts = tuple(
        Post(t, n, rules.max_length, image if k == 0 else "", alt if k == 0 else "")
        for k, (t, n) in enumerate(zip(texts, lengths, strict=True))
    )
    return Rendered(rules.name, posts, tuple(problems))
