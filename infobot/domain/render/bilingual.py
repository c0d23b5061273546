"""A story in every campaign language, for one platform (the Welsh Language Standards).

Every version goes out in the same slot, at the same time, with equal prominence. How, is
the platform's mode (``RenderOptions.bilingual``):

* ``post``: one post with each version in turn (the first language first, then the others
  in campaign order), the attribution and link once after them and the hashtag once at the
  end; the post is tagged with every language (Bluesky ``langs``; Mastodon takes the first).
  Too long for one post, it becomes a thread like any long story.
* ``thread``: one post per language, the first language first and each next one a reply to
  it; each is rendered as a story of its own, so each carries the hashtag once and is
  tagged with its own language.
* ``accounts``: each platform instance (``mastodon`` and ``mastodon_cy``, say) posts the
  version in its own account's language (``RenderOptions.account_language``).

A story lacking a campaign language cannot go out (and cannot be approved): the problem
says which version to add. The preview still shows the versions it has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from infobot.domain.render.hashtags import count_hashtag
from infobot.domain.render.posts import render_one
from infobot.domain.render.types import PlatformRules, Post, Rendered, RenderOptions
from infobot.domain.versions import language_name, missing, missing_message, ordered

if TYPE_CHECKING:
    from infobot.domain.story import StoryInput


def render_bilingual(story: StoryInput, rules: PlatformRules, options: RenderOptions) -> Rendered:
    order = ordered(options.languages, options.first_language)
    lacking = missing(story.languages, order)
    problems = [missing_message(lacking)] if lacking else []
    if options.bilingual == "accounts":
        return _from_account(story, rules, options, problems)
    present = [lang for lang in order if lang in story.languages]
    if options.bilingual == "thread":
        rendered = _thread(story, rules, options, present)
    else:
        rendered = _one_post(story, rules, options, present)
    return replace(rendered, problems=(*problems, *rendered.problems), bilingual=True)


def _from_account(
    story: StoryInput, rules: PlatformRules, options: RenderOptions, problems: list[str]
) -> Rendered:
    language = options.account_language
    if not language:
        problem = (
            f"{rules.name} posts each language from its own account, but no language is set"
            f" for this account: set language in its [plugins.NAME] section"
        )
        return Rendered(rules.name, (), (*problems, problem), bilingual=True)
    if language not in story.languages:
        return Rendered(rules.name, (), tuple(problems), bilingual=True)
    rendered = render_one(story.version(language), rules, options)
    return replace(rendered, problems=(*problems, *rendered.problems), bilingual=True)


def _thread(
    story: StoryInput, rules: PlatformRules, options: RenderOptions, order: list[str]
) -> Rendered:
    posts: list[Post] = []
    problems: list[str] = []
    for language in order:
        rendered = render_one(story.version(language), rules, options)
        posts.extend(rendered.posts)
        name = language_name(language)
        problems.extend(f"the {name} post: {problem}" for problem in rendered.problems)
    if len(posts) > rules.max_parts:
        problems.append(
            f"the versions make a thread of {len(posts)} posts and {rules.name} takes at most"
            f" {rules.max_parts}: post both versions in one post on {rules.name}"
            " (INFOBOT_BILINGUAL_MODES), or shorten them"
        )
    return Rendered(rules.name, tuple(posts), tuple(problems))


def _one_post(
    story: StoryInput, rules: PlatformRules, options: RenderOptions, order: list[str]
) -> Rendered:
    if not order:
        return render_one(story, rules, options)
    versions = [story.version(language) for language in order]
    bodies = [v.body.strip() for v in versions]
    problems: list[str] = []
    tagged = [
        v.language for v in versions if options.hashtag and count_hashtag(v.body, options.hashtag)
    ]
    if len(tagged) > 1:
        names = " and ".join(language_name(lang) for lang in tagged)
        problems.append(
            f"the {names} texts both hold {options.hashtag}: a bilingual post carries it"
            " once (it is added at the end); remove it from the texts"
        )
    alts = [v.image_alt.strip() for v in versions if v.image_alt.strip()]
    titles = [v.title.strip() for v in versions if v.title.strip()]
    combined = replace(
        versions[0],
        body="\n\n".join(body for body in bodies if body),
        title=" / ".join(titles),
        image_alt="\n\n".join(alts),
    )
    rendered = render_one(combined, rules, options)
    more = tuple(order[1:])
    posts = tuple(replace(post, more_languages=more) for post in rendered.posts)
    return Rendered(rules.name, posts, (*problems, *rendered.problems))
